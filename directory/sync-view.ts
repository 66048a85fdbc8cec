/** The API/CLI shape of one sync run (exact: scripts depend on it). */
import type { DirectorySync, DirectorySyncCounts } from "../entities";

export interface SyncView {
  id: string; directoryId: string; status: "running" | "applied" | "held" | "failed" | "discarded" | "confirmed"; trigger: string;
  users: DirectorySyncCounts["users"]; groups: DirectorySyncCounts["groups"];
  error?: string; errorCode?: string; held?: { reason: string; wouldRemove: number; wouldSuspend: number };
  skipped: Array<{ email: string; reason: string }>; refused: Array<{ memberId: string; reason: string }>;
  startedAt: Date; finishedAt: Date | null;
}

export const emptyCounts = (): DirectorySyncCounts => ({
  users: { seen: 0, created: 0, updated: 0, suspended: 0, restored: 0, removed: 0, unchanged: 0, skipped: 0 },
  groups: { seen: 0, created: 0, updated: 0, removed: 0 },
});

export function syncView(s: DirectorySync): SyncView {
  const c = s.counts ?? emptyCounts();
  return {
    id: s.id, directoryId: s.directoryId, status: s.status, trigger: s.trigger, users: c.users, groups: c.groups,
    ...(s.error ? { error: s.error, errorCode: s.errorCode ?? undefined } : {}), ...(s.held ? { held: s.held } : {}),
    skipped: s.skipped, refused: s.refused, startedAt: s.startedAt, finishedAt: s.finishedAt,
  };
}
