import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A verified domain drives SSO discovery; a domain can be verified by one org only (partial unique index). */
@Entity({ name: "org_domains" })
export class OrgDomain {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 253 }) domain: string;
  @Column({ type: "varchar", length: 100, name: "verification_token" }) verificationToken: string;
  @Column({ type: "timestamptz", name: "verified_at", nullable: true }) verifiedAt: Date | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
