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
  /** A Test connection sign-in succeeded (new connections stay disabled until then or an Owner enables them). */
  @Column({ type: "timestamptz", name: "tested_at", nullable: true }) testedAt: Date | null;
  /** The last Test connection report (sso/connection-test.ts), shown in settings. */
  @Column({ type: "jsonb", name: "last_test", nullable: true }) lastTest: Record<string, unknown> | null;
  /** IdP metadata by URL: last successful fetch, last attempt, last failure (in words). */
  @Column({ type: "timestamptz", name: "metadata_fetched_at", nullable: true }) metadataFetchedAt: Date | null;
  @Column({ type: "timestamptz", name: "metadata_checked_at", nullable: true }) metadataCheckedAt: Date | null;
  @Column({ type: "text", name: "metadata_error", nullable: true }) metadataError: string | null;
  /** SHA-256 fingerprints of IdP certificates whose coming expiry was emailed to the Owners. */
  @Column({ type: "jsonb", name: "cert_expiry_notified", default: () => "'[]'::jsonb" }) certExpiryNotified: string[];
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
