import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import type { Relation } from "typeorm";
import { Organization } from "./organization";
import type { ChatbotScope, Role } from "./membership";

/** One pending invitation per (org, lower(email)): partial unique index in the migration. */
@Entity({ name: "invitations" })
export class Invitation {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @ManyToOne(() => Organization, { onDelete: "CASCADE" }) @JoinColumn({ name: "org_id" }) org: Relation<Organization>;
  @Column({ type: "varchar", length: 320 }) email: string;
  @Column({ type: "varchar", length: 20 }) role: Role;
  /** Becomes the membership's scope on accept. */
  @Column({ type: "varchar", length: 10, name: "chatbot_scope", default: "all" }) chatbotScope: ChatbotScope;
  @Column({ type: "varchar", length: 64, name: "token_hash" }) tokenHash: string;
  /** Hashes of links replaced by a resend: they answer "no longer valid" rather than "unknown". */
  @Column({ type: "varchar", length: 64, array: true, name: "previous_token_hashes", default: () => "'{}'" }) previousTokenHashes: string[];
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true }) revokedAt: Date | null;
  @Column({ type: "timestamptz", name: "accepted_at", nullable: true }) acceptedAt: Date | null;
  /** Set with revokedAt when a new invitation to the same address replaced this one (its link then says so). */
  @Column({ type: "uuid", name: "replaced_by_id", nullable: true }) replacedById: string | null;
  @Column({ type: "integer", name: "send_count", default: 1 }) sendCount: number;
  @Column({ type: "timestamptz", name: "last_sent_at" }) lastSentAt: Date;
  /** The inviter's account; the name and email are kept as they were when the invite went out. */
  @Column({ type: "uuid", name: "invited_by_user_id", nullable: true }) invitedByUserId: string | null;
  @Column({ type: "varchar", length: 200, name: "invited_by_name", nullable: true }) invitedByName: string | null;
  @Column({ type: "varchar", length: 320, name: "invited_by_email", nullable: true }) invitedByEmail: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
