import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A SCIM bearer token. Only its sha256 is stored; `prefix` lets admins recognise it. */
export type CreatorRole = "owner" | "admin" | "member" | "operator";

@Entity({ name: "scim_tokens" })
export class ScimToken {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 100 }) name: string;
  @Column({ type: "varchar", length: 64, name: "token_hash" }) tokenHash: string;
  @Column({ type: "varchar", length: 20 }) prefix: string;
  @Column({ type: "uuid", name: "created_by_user_id", nullable: true }) createdByUserId: string | null;
  /** The creator's role when they made it: owner, admin, operator (CLI), or null when unknown. */
  @Column({ type: "varchar", length: 20, name: "created_by_role", nullable: true }) createdByRole: CreatorRole | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "last_used_at", nullable: true }) lastUsedAt: Date | null;
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true }) revokedAt: Date | null;
}
