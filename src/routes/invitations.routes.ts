import { Router } from "express";
import type { Deps } from "../context";
export function invitationRoutes(_deps: Deps): Router { return Router({ mergeParams: true }); }
export function invitationPublicRoutes(_deps: Deps): Router { return Router(); }
