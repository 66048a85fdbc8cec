import { Column, Entity, PrimaryColumn } from "typeorm";
import type { Role } from "./membership";

/** A membership the directory manages: which Google user it came from and the role it had when linked. */
@Entity({ name: "directory_users" })
export class DirectoryUser {
  @PrimaryColumn({ type: "uuid", name: "membership_id" }) membershipId: string;
  @Column({ type: "uuid", name: "directory_id" }) directoryId: string;
  @Column({ type: "varchar", length: 64, name: "google_id" }) googleId: string;
  @Column({ type: "varchar", length: 320 }) email: string;
  /** Lowest role a sync gives: member for people it created, their own role for people it adopted. */
  @Column({ type: "varchar", length: 20, name: "base_role" }) baseRole: Role;
}
