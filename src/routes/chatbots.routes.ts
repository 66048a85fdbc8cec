import { Router } from "express";
import type { Deps } from "../context";
export function chatbotRoutes(_deps: Deps): Router { return Router({ mergeParams: true }); }
