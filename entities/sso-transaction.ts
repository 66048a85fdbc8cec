import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/**
 * Server-side, single-use round-trip state: a SAML AuthnRequest id or an OIDC `state`.
 * Kept in the database because the IdP's POST arrives cross-site without our Lax cookie.
 */
@Entity({ name: "sso_transactions" })
export class SsoTransaction {
  @PrimaryColumn({ type: "varchar", length: 128 }) id: string;
  @Column({ type: "uuid", name: "connection_id" }) connectionId: string;
  @Column({ type: "jsonb", default: () => "'{}'::jsonb" }) data: Record<string, unknown>;
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
