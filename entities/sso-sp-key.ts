import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

export type SpKeyStatus = "active" | "next";

/** A SAML connection's AuthnRequest signing key: "active" signs, "next" is published for rotation. */
@Entity({ name: "sso_sp_keys" })
export class SsoSpKey {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "connection_id" }) connectionId: string;
  @Column({ type: "varchar", length: 10 }) status: SpKeyStatus;
  @Column({ type: "text" }) certificate: string;
  @Column({ type: "text", name: "private_key_encrypted" }) privateKeyEncrypted: string;
  @Column({ type: "timestamptz", name: "not_after" }) notAfter: Date;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
