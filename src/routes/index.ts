import { Router } from "express";
import type { Deps } from "../context";

/** Every /api route, each group in its own file. */
export function apiRoutes(_deps: Deps): Router {
  const r = Router();
  return r;
}
