/**
 * Who may do what, as data, decided by one function. Two layers stack: the org role gives
 * org-wide permissions; a Member's chatbot scope then says which chatbots they work in:
 * "all" (every chatbot, as the role allows) or "selected" (only the granted chatbots, each at its
 * grant's access; none granted = no chatbot). Holding any grant means "selected" (so grants an
 * IdP mapping writes narrow as before). Owners and Admins always have every chatbot.
 * Rules a route permission cannot express ("only an Owner touches Owners", "always one Owner")
 * are enforced in the member service.
 */
import type { ChatbotAccess, ChatbotScope, Role } from "../../entities";

export const PERMISSIONS = [
  "members.read", "members.invite", "members.update", "members.remove",
  "chatbots.read", "chatbots.manage", "conversations.reply", "conversations.assign",
  "audit.read", "sso.manage", "scim.manage",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS = {
  owner: ALL,
  admin: ALL,
  member: ["chatbots.read", "conversations.reply"],
} as const satisfies Record<Role, readonly Permission[]>;

/** The chatbot-scoped permissions, and the least grant that allows each. */
const CHATBOT_PERMISSION_NEEDS: Partial<Record<Permission, ChatbotAccess>> = {
  "chatbots.read": "view",
  "conversations.reply": "reply",
  "conversations.assign": "manage",
  "chatbots.manage": "manage",
};
const ACCESS_RANK: Record<ChatbotAccess, number> = { view: 1, reply: 2, manage: 3 };
export const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export interface Subject {
  role: Role;
  /** chatbotId → access. */
  grants: ReadonlyMap<string, ChatbotAccess>;
  /** The membership's stored scope; see effectiveScope. */
  scope: ChatbotScope;
}

/** The scope that applies: Owners and Admins "all"; a Member with any grant "selected". */
export function effectiveScope(subject: Subject): ChatbotScope {
  if (subject.role !== "member") return "all";
  return subject.scope === "selected" || subject.grants.size > 0 ? "selected" : "all";
}

/**
 * Decides every permission check. With `chatbotId`, a Member whose scope is "selected" is judged
 * only by the grant on that chatbot (so a grant can both narrow and, for `manage`, widen within its
 * chatbot; no grant = no access); without it, by the role. Owners and Admins are never narrowed.
 */
export function can(subject: Subject, permission: Permission, chatbotId?: string): boolean {
  const byRole = (ROLE_PERMISSIONS[subject.role] as readonly Permission[]).includes(permission);
  if (subject.role !== "member") return byRole;
  const needs = CHATBOT_PERMISSION_NEEDS[permission];
  if (!needs || effectiveScope(subject) === "all") return byRole;
  // Org-wide questions (create a chatbot, list what you may see) are answered by the role.
  if (chatbotId === undefined) return byRole;
  const grant = subject.grants.get(chatbotId);
  return grant !== undefined && ACCESS_RANK[grant] >= ACCESS_RANK[needs];
}

/** The chatbots a subject may see: undefined means all of the org's. */
export function visibleChatbots(subject: Subject): string[] | undefined {
  if (effectiveScope(subject) === "all") return undefined;
  return [...subject.grants.keys()];
}

/** What each permission lets a person do, for messages people read ("Your role does not let you …"). */
export const PERMISSION_PHRASES: Record<Permission, string> = {
  "members.read": "see the members", "members.invite": "invite people", "members.update": "change members' roles or access",
  "members.remove": "remove members", "chatbots.read": "see chatbots", "chatbots.manage": "create, rename or delete chatbots",
  "conversations.reply": "reply to conversations", "conversations.assign": "assign conversations", "audit.read": "read the audit log",
  "sso.manage": "change single sign-on settings", "scim.manage": "change SCIM provisioning",
};

/** The sentence of a 403 for a missing permission. */
export const deniedMessage = (permission: Permission): string =>
  `Your role does not let you ${PERMISSION_PHRASES[permission]}. Ask an Owner or Admin if you need to.`;

export function permissionsOf(subject: Subject): Permission[] {
  return PERMISSIONS.filter((p) => can(subject, p));
}
