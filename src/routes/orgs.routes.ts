import { Router } from "express";
import type { Deps } from "../context";
export function orgRoutes(_deps: Deps): Router { return Router({ mergeParams: true }); }
