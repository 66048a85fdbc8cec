import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/** Browser sessions, shared by every instance and revocable. The id is the sha256 of the cookie value. */
@Entity({ name: "sessions" })
export class Session {
  @PrimaryColumn({ type: "varchar", length: 64, name: "id_hash" }) idHash: string;
  @Column({ type: "uuid", name: "user_id" }) userId: string;
  @Column({ type: "varchar", length: 64, name: "csrf_token" }) csrfToken: string;
  /** How the session began: password, break-glass or an SSO connection id. */
  @Column({ type: "varchar", length: 64, name: "auth_method", default: "password" }) authMethod: string;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
}
