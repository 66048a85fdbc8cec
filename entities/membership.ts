import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import type { Relation } from "typeorm";
import { Organization } from "./organization";
import { User } from "./user";

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];
export type MembershipStatus = "active" | "suspended";
export type MembershipSource = "invite" | "scim" | "sso";
/** "all": every chatbot of the org; "selected": only the chatbots granted (none granted = none). */
export const CHATBOT_SCOPES = ["all", "selected"] as const;
export type ChatbotScope = (typeof CHATBOT_SCOPES)[number];

/**
 * What a SCIM client wrote about this person in this org, kept so it reads back as written.
 * It is this org's view only: the shared account (users row) is never changed by it.
 */
export interface ScimUserAttributes {
  name?: Record<string, unknown>;
  displayName?: string;
  nickName?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  emails?: Array<Record<string, unknown>>;
  phoneNumbers?: Array<Record<string, unknown>>;
  addresses?: Array<Record<string, unknown>>;
  roles?: Array<Record<string, unknown>>;
  enterprise?: Record<string, unknown>;
}

@Entity({ name: "memberships" })
export class Membership {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @ManyToOne(() => Organization, { onDelete: "CASCADE" }) @JoinColumn({ name: "org_id" }) org: Relation<Organization>;
  @Column({ type: "uuid", name: "user_id" }) userId: string;
  @ManyToOne(() => User, { onDelete: "CASCADE" }) @JoinColumn({ name: "user_id" }) user: Relation<User>;
  @Column({ type: "varchar", length: 20 }) role: Role;
  @Column({ type: "varchar", length: 20, default: "active" }) status: MembershipStatus;
  @Column({ type: "varchar", length: 20 }) source: MembershipSource;
  /** For Members only (Owners and Admins see every chatbot). Holding any grant means "selected". */
  @Column({ type: "varchar", length: 10, name: "chatbot_scope", default: "all" }) chatbotScope: ChatbotScope;
  @Column({ type: "timestamptz", name: "last_active_at", nullable: true }) lastActiveAt: Date | null;
  /** Role asked for by SCIM `roles` values; group mappings may raise the effective role. */
  @Column({ type: "varchar", length: 20, name: "scim_role", nullable: true }) scimRole: Role | null;
  @Column({ type: "varchar", length: 320, name: "scim_user_name", nullable: true }) scimUserName: string | null;
  @Column({ type: "varchar", length: 255, name: "external_id", nullable: true }) externalId: string | null;
  @Column({ type: "jsonb", name: "scim_attributes", nullable: true }) scimAttributes: ScimUserAttributes | null;
  /**
   * Set while the membership waits for its person (an IdP provisioned an email outside the org's
   * verified domains): the join link went to this address; `userId` is a placeholder account.
   */
  @Column({ type: "varchar", length: 320, name: "pending_email", nullable: true }) pendingEmail: string | null;
  @Column({ type: "varchar", length: 64, name: "join_token_hash", nullable: true }) joinTokenHash: string | null;
  @Column({ type: "timestamptz", name: "join_sent_at", nullable: true }) joinSentAt: Date | null;
  /** Position in the org's SCIM default order; assigned and kept by triggers (migration 1764440000000), never written here. */
  @Column({ type: "bigint", name: "scim_pos", nullable: true, select: false, insert: false, update: false }) scimPos: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
