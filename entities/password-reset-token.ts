import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/**
 * One emailed "reset your password" link. The link carries `<id>.<secret>`; only sha256(secret)
 * is stored and it is compared in constant time. A link works once, for 30 minutes, and only while
 * it is the person's newest one (`replacedAt` is set on older links when a new one is requested).
 */
@Entity({ name: "password_reset_tokens" })
export class PasswordResetToken {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "user_id" }) userId: string;
  @Column({ type: "varchar", length: 64, name: "secret_hash" }) secretHash: string;
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
  @Column({ type: "timestamptz", name: "used_at", nullable: true }) usedAt: Date | null;
  @Column({ type: "timestamptz", name: "replaced_at", nullable: true }) replacedAt: Date | null;
  @Column({ type: "varchar", length: 64, name: "request_ip", nullable: true }) requestIp: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
