import { Router } from "express";
import type { Deps } from "../context";
export function memberRoutes(_deps: Deps): Router { return Router({ mergeParams: true }); }
