/** Feature routers mounted beside /api (SCIM, SSO, browser pages), each from its own folder. */
import type { Express } from "express";
import type { Deps } from "./context";

export function mountFeatures(_app: Express, _deps: Deps): void {}
