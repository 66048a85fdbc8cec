import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * Per org: SCIM users that have a position, the next position and the freed positions, kept by
 * assign_scim_positions and a trigger on `memberships` (migration 1764440000000), so a SCIM
 * total is one row read (plus the users not yet positioned) instead of a count over the org.
 * Read-only here.
 */
@Entity({ name: "org_member_counts" })
export class OrgMemberCount {
  @PrimaryColumn({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "integer", name: "scim_users" }) scimUsers: number;
  /** The position the next SCIM user gets (memberships.scim_pos). */
  @Column({ type: "bigint", name: "next_scim_pos" }) nextScimPos: string;
  /** Positions freed since the last renumbering (rows of scim_position_gaps). */
  @Column({ type: "integer", name: "scim_gaps" }) scimGaps: number;
  /** SCIM users were created since the last positions were assigned (the next list assigns them). */
  @Column({ type: "boolean" }) unpositioned: boolean;
}
