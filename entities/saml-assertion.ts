import { Column, Entity, PrimaryColumn } from "typeorm";

/** Replay cache: each assertion id is accepted once per connection, kept until it expires. */
@Entity({ name: "saml_assertions" })
export class SamlAssertion {
  @PrimaryColumn({ type: "uuid", name: "connection_id" }) connectionId: string;
  @PrimaryColumn({ type: "varchar", length: 256, name: "assertion_id" }) assertionId: string;
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
}
