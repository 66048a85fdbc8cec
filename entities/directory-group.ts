import { Column, Entity, PrimaryColumn } from "typeorm";

/** A Google group in scope at the last applied sync (for counts and the Settings page). */
@Entity({ name: "directory_groups" })
export class DirectoryGroup {
  @PrimaryColumn({ type: "uuid", name: "directory_id" }) directoryId: string;
  @PrimaryColumn({ type: "varchar", length: 64, name: "google_id" }) googleId: string;
  @Column({ type: "varchar", length: 320 }) email: string;
  @Column({ type: "varchar", length: 255 }) name: string;
  @Column({ type: "integer", name: "member_count" }) memberCount: number;
}
