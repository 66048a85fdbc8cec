/** Feature routers mounted beside /api (SCIM, SSO, browser pages), each from its own folder. */
import type { Express } from "express";
import type { Deps } from "./context";
import { mountScim } from "../scim/router";
import { mountSso } from "../sso/router";
import { mountUi } from "./ui/router";
import { mountDirectoryCallback } from "../directory/routes";
import { startSsoMaintenance } from "../sso/metadata-refresh";

export function mountFeatures(app: Express, deps: Deps): void {
  mountScim(app, deps);
  mountSso(app, deps);
  mountDirectoryCallback(app, deps);
  mountUi(app, deps);
}

/** Background jobs of the features (SSO: IdP metadata refresh, certificate expiry emails); returns stop. */
export function startFeatureJobs(deps: Deps): () => void {
  return startSsoMaintenance(deps);
}
