import { Router } from "express";
import type { Deps } from "../context";

/** /healthz: the process is up. /readyz: the database answers (503 otherwise). */
export function healthRoutes(deps: Deps): Router {
  const r = Router();
  r.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  r.get("/readyz", async (req, res) => {
    try {
      await deps.ds.query("SELECT 1");
      res.json({ status: "ready", database: "ok" });
    } catch (err) {
      req.log.warn({ err }, "readiness check failed");
      res.status(503).json({ status: "unavailable", database: "unreachable" });
    }
  });
  return r;
}
