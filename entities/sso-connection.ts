import type { CreatorRole } from "./scim-token";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

export type SsoKind = "saml" | "oidc";

/** `config` holds non-secret settings; secrets live only encrypted in `secret_encrypted`. */
@Entity({ name: "sso_connections" })
export class SsoConnection {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 10 }) kind: SsoKind;
  @Column({ type: "varchar", length: 200, default: "" }) name: string;
  @Column({ type: "boolean", default: true }) enabled: boolean;
  @Column({ type: "jsonb", default: () => "'{}'::jsonb" }) config: Record<string, unknown>;
  @Column({ type: "text", name: "secret_encrypted", nullable: true }) secretEncrypted: string | null;
  /** Who made it and their role then (see ScimToken.createdByRole); a non-Owner's is listed for review. */
  @Column({ type: "uuid", name: "created_by_user_id", nullable: true }) createdByUserId: string | null;
  @Column({ type: "varchar", length: 20, name: "created_by_role", nullable: true }) createdByRole: CreatorRole | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
