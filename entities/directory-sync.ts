import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

export type DirectorySyncStatus = "running" | "applied" | "held" | "failed" | "discarded" | "confirmed";

export interface DirectorySyncCounts {
  users: { seen: number; created: number; updated: number; suspended: number; restored: number; removed: number; unchanged: number; skipped: number };
  groups: { seen: number; created: number; updated: number; removed: number };
}

/** One sync run: what it read, what it did (or would do, when held), and why it stopped. */
@Entity({ name: "directory_syncs" })
export class DirectorySync {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "directory_id" }) directoryId: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 20 }) status: DirectorySyncStatus;
  @Column({ type: "varchar", length: 20 }) trigger: "schedule" | "manual" | "confirm";
  @Column({ type: "jsonb", nullable: true }) counts: DirectorySyncCounts | null;
  @Column({ type: "varchar", length: 60, name: "error_code", nullable: true }) errorCode: string | null;
  @Column({ type: "text", nullable: true }) error: string | null;
  @Column({ type: "jsonb", nullable: true }) held: { reason: string; wouldRemove: number; wouldSuspend: number } | null;
  /** Users not applied and why (e.g. outside the org's verified domains), at most 100 listed. */
  @Column({ type: "jsonb", default: () => "'[]'::jsonb" }) skipped: Array<{ email: string; reason: string }>;
  @Column({ type: "jsonb", default: () => "'[]'::jsonb" }) refused: Array<{ memberId: string; reason: string }>;
  @Column({ type: "timestamptz", name: "started_at" }) startedAt: Date;
  @Column({ type: "timestamptz", name: "finished_at", nullable: true }) finishedAt: Date | null;
}
