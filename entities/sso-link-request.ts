import type { Role } from "./membership";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/**
 * An SSO identity (connection, subject) that wants to link to an account which has other
 * credentials or orgs: stored only once the person proves the account (docs/security.md).
 */
@Entity({ name: "sso_link_requests" })
export class SsoLinkRequest {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "user_id" }) userId: string;
  @Column({ type: "uuid", name: "connection_id" }) connectionId: string;
  @Column({ type: "varchar", length: 512 }) subject: string;
  @Column({ type: "varchar", length: 320, nullable: true }) email: string | null;
  @Column({ type: "varchar", length: 64, name: "token_hash" }) tokenHash: string;
  /** Set when the sign-in was a JIT: confirming also adds the membership with this role. */
  @Column({ type: "varchar", length: 20, name: "jit_role", nullable: true }) jitRole: Role | null;
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
  @Column({ type: "timestamptz", name: "used_at", nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
