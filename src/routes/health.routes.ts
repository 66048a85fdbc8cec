import { Router } from "express";
import type { Deps } from "../context";
import type { Lifecycle } from "../http/lifecycle";
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from "../http/error-handler";

/** A balancer's probe must get an answer within this, whatever the database does. */
export const READINESS_TIMEOUT_MS = 800;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_ok, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * /healthz: the process is up. /readyz: the database answers within READINESS_TIMEOUT_MS and the
 * process is not draining; otherwise 503 with Retry-After.
 */
export function healthRoutes(deps: Deps, lifecycle: Lifecycle): Router {
  const r = Router();
  r.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  r.get("/readyz", async (req, res) => {
    const unavailable = (body: Record<string, string>) =>
      res.status(503).setHeader("Retry-After", String(RETRY_AFTER_UNAVAILABLE_SECONDS)).json(body);
    if (lifecycle.draining) return void unavailable({ status: "draining" });
    try {
      await within(deps.ds.query("SELECT 1"), READINESS_TIMEOUT_MS);
      res.json({ status: "ready", database: "ok" });
    } catch (err) {
      req.log.warn({ err }, "readiness check failed");
      unavailable({ status: "unavailable", database: "unreachable" });
    }
  });
  return r;
}
