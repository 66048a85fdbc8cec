/**
 * Runs each directory's sync every intervalMinutes. Every instance polls; the lease (lease.ts)
 * makes exactly one of them run a given directory, and a crashed run's lease expires so another
 * instance retries it. A failed sync is retried at the next interval.
 */
import type { Deps } from "../src/context";
import { SYSTEM_CTX } from "../src/context";
import { SyncRunningError } from "./errors";
import { newInstanceId } from "./lease";
import { runSync } from "./sync.service";

export interface DirectoryScheduler {
  /** One pass: syncs every due directory (for tests and the poll loop). */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

const SCHEDULER_CTX = { ...SYSTEM_CTX, actor: { type: "system" as const, name: "directory sync" } };

export function startDirectoryScheduler(deps: Deps, opts: { pollMs?: number; instance?: string; autostart?: boolean } = {}): DirectoryScheduler {
  const instance = opts.instance ?? newInstanceId();
  let running: Promise<number> | null = null;
  let stopped = false;

  const tick = async (): Promise<number> => {
    const now = deps.clock.now();
    const due: Array<{ id: string }> = await deps.ds.query(
      `SELECT id FROM directories WHERE next_sync_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at < $1) ORDER BY next_sync_at LIMIT 20`, [now]);
    let ran = 0;
    for (const d of due) {
      if (stopped) break;
      try {
        await runSync(deps, SCHEDULER_CTX, d.id, { trigger: "schedule", instance });
        ran++;
      } catch (err) {
        if (!(err instanceof SyncRunningError)) deps.logger.error({ err, directoryId: d.id }, "scheduled directory sync failed");
      }
    }
    return ran;
  };
  const loop = () => {
    if (stopped || running) return;
    running = tick().catch((err) => {
      deps.logger.error({ err }, "directory scheduler pass failed");
      return 0;
    }).finally(() => { running = null; });
  };
  const timer = opts.autostart === false ? null : setInterval(loop, opts.pollMs ?? 30_000);
  timer?.unref();
  return {
    tick: () => (running ?? (running = tick().finally(() => { running = null; }))),
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
