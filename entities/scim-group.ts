import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

/** A group pushed by the IdP. displayName is unique per org, case-insensitively. */
@Entity({ name: "scim_groups" })
export class ScimGroup {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 255, name: "display_name" }) displayName: string;
  @Column({ type: "varchar", length: 255, name: "external_id", nullable: true }) externalId: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
