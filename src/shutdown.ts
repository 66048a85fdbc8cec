/**
 * SIGTERM/SIGINT drain, in order: /readyz turns 503 and every response carries
 * `Connection: close` (Lifecycle); the mail dispatcher stops claiming and finishes its send; after
 * a short linger (so balancers and keep-alive clients move on) the listener closes and idle
 * connections with it; in-flight requests finish, and the work they started after answering
 * (Lifecycle.afterResponse); then the control socket and the database close. Whatever is still open at SHUTDOWN_DRAIN_MS is cut, and the process exits.
 */
import type { Server } from "node:http";
import type { Logger } from "./logger";
import type { Lifecycle } from "./http/lifecycle";

export interface Closable {
  close(): unknown;
}

export interface DrainParts {
  server: Server;
  lifecycle: Lifecycle;
  logger: Logger;
  drainMs: number;
  dispatcher: { stop(): Promise<void> };
  control?: Closable;
  /** Background jobs (directory scheduler, SSO maintenance): stop claiming work, finish what runs. */
  background?: Array<{ stop(): Promise<void> | void }>;
  db: { close(): Promise<void> };
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms).unref());
const until = <T>(p: Promise<T>, ms: number): Promise<T | "timeout"> => Promise.race([p, sleep(ms).then(() => "timeout" as const)]);

/** Resolves with true when everything closed in time, false when something had to be cut. */
export async function drain(parts: DrainParts): Promise<boolean> {
  const { server, lifecycle, logger, drainMs } = parts;
  const deadline = Date.now() + drainMs;
  const left = () => Math.max(0, deadline - Date.now());
  lifecycle.startDraining();
  const mail = parts.dispatcher.stop();
  const jobs = Promise.all((parts.background ?? []).map(async (b) => b.stop()));
  // Requests arriving now are still served (with Connection: close) while balancers notice /readyz.
  await sleep(Math.min(1000, drainMs / 4));
  const closed = new Promise<void>((ok) => server.close(() => ok()));
  server.closeIdleConnections();
  let clean = true;
  if ((await until(closed, left())) === "timeout") {
    logger.warn("drain time is up: closing connections with requests still in flight");
    server.closeAllConnections();
    clean = false;
  }
  // Work answered requests started after their response (a password reset's lookup and email).
  if ((await until(lifecycle.settled(), left())) === "timeout") {
    logger.warn("drain time is up: work a request started after its answer (a password reset) is cut");
    clean = false;
  }
  if ((await until(mail, left())) === "timeout") {
    logger.warn("drain time is up: the email being sent will be retried once its lease lapses (same Message-ID)");
    clean = false;
  }
  if ((await until(jobs, left())) === "timeout") {
    logger.warn("drain time is up: a background job (directory sync) is cut; its lease lapses and another run retries it");
    clean = false;
  }
  parts.control?.close();
  if ((await until(parts.db.close(), Math.max(500, left()))) === "timeout") clean = false;
  return clean;
}
