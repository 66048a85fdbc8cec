import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/** One row per (group, member): a 10,000-member group changes row by row, never as a whole list. */
@Entity({ name: "scim_group_members" })
export class ScimGroupMember {
  @PrimaryColumn({ type: "uuid", name: "group_id" }) groupId: string;
  @PrimaryColumn({ type: "uuid", name: "membership_id" }) membershipId: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
