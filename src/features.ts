/** Feature routers mounted beside /api (SCIM, SSO, browser pages), each from its own folder. */
import type { Express } from "express";
import type { Deps } from "./context";
import { mountScim } from "../scim/router";
import { mountSso } from "../sso/router";
import { mountUi } from "./ui/router";
import { mountDirectoryCallback } from "../directory/routes";

export function mountFeatures(app: Express, deps: Deps): void {
  mountScim(app, deps);
  mountSso(app, deps);
  mountDirectoryCallback(app, deps);
  mountUi(app, deps);
}
