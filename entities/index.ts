import { Organization } from "./organization";
import { User } from "./user";
import { Membership } from "./membership";
import { Invitation } from "./invitation";
import { Chatbot } from "./chatbot";
import { ChatbotPermission } from "./chatbot-permission";
import { Conversation } from "./conversation";
import { AuditEvent } from "./audit-event";
import { EmailMessage } from "./email-message";
import { ScimToken } from "./scim-token";
import { ScimGroup } from "./scim-group";
import { ScimGroupMember } from "./scim-group-member";
import { GroupRoleMapping } from "./group-role-mapping";
import { SsoConnection } from "./sso-connection";
import { OrgDomain } from "./org-domain";
import { UserIdentity } from "./user-identity";
import { SsoTransaction } from "./sso-transaction";
import { SamlAssertion } from "./saml-assertion";
import { Session } from "./session";
import { SsoLinkRequest } from "./sso-link-request";
import { Directory } from "./directory";
import { DirectorySync } from "./directory-sync";
import { DirectoryUser } from "./directory-user";
import { DirectoryGroup } from "./directory-group";
import { SsoSpKey } from "./sso-sp-key";
import { PasswordResetToken } from "./password-reset-token";
import { OrgMemberCount } from "./org-member-count";

export * from "./organization";
export * from "./user";
export * from "./membership";
export * from "./invitation";
export * from "./chatbot";
export * from "./chatbot-permission";
export * from "./conversation";
export * from "./audit-event";
export * from "./email-message";
export * from "./scim-token";
export * from "./scim-group";
export * from "./scim-group-member";
export * from "./group-role-mapping";
export * from "./sso-connection";
export * from "./org-domain";
export * from "./user-identity";
export * from "./sso-transaction";
export * from "./saml-assertion";
export * from "./session";
export * from "./sso-link-request";
export * from "./directory";
export * from "./directory-sync";
export * from "./directory-user";
export * from "./directory-group";
export * from "./sso-sp-key";
export * from "./password-reset-token";
export * from "./org-member-count";

export const ENTITIES = [
  Organization, User, Membership, Invitation, Chatbot, ChatbotPermission, Conversation, AuditEvent,
  EmailMessage, ScimToken, ScimGroup, ScimGroupMember, GroupRoleMapping, SsoConnection, OrgDomain,
  UserIdentity, SsoTransaction, SamlAssertion, Session, SsoLinkRequest, SsoSpKey,
  Directory, DirectorySync, DirectoryUser, DirectoryGroup, PasswordResetToken, OrgMemberCount,
];
