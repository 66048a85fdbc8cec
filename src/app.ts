/**
 * createApp(deps) wires the HTTP surface; it never listens (server.ts does, tests use supertest).
 * Order matters: request id + logs, security headers, body limits, session, CSRF, routes, errors.
 */
import express, { type Express } from "express";
import helmet from "helmet";
import type { Deps } from "./context";
import { requestLog } from "./http/request-log";
import { errorHandler, notFoundHandler } from "./http/error-handler";
import { csrfGuard, loadSession } from "./http/auth-middleware";
import { refuseUnstorableText } from "./http/input-guard";
import { healthRoutes } from "./routes/health.routes";
import { closeConnectionsWhenDraining, Lifecycle } from "./http/lifecycle";
import { apiRoutes } from "./routes";

export interface AppHooks {
  /** Mount extra routers (SCIM, SSO, UI) before the API's 404 handler. */
  mount?: (app: Express) => void;
  /** Serving state shared with server.ts (SIGTERM drain); a fresh one when absent. */
  lifecycle?: Lifecycle;
}

export function createApp(deps: Deps, hooks: AppHooks = {}): Express {
  const app = express();
  const lifecycle = hooks.lifecycle ?? new Lifecycle();
  app.locals.lifecycle = lifecycle;
  app.use(closeConnectionsWhenDraining(lifecycle));
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", deps.config.trustProxy);

  app.use(requestLog(deps.logger));
  app.use(helmet({ referrerPolicy: { policy: "no-referrer" } }));

  app.use(healthRoutes(deps, lifecycle));
  app.use(express.json({ limit: "100kb", type: ["application/json", "application/*+json"] }));
  app.use(express.urlencoded({ extended: false, limit: "300kb" }));
  app.use(refuseUnstorableText);
  app.use(loadSession(deps));

  hooks.mount?.(app);
  app.use("/api", csrfGuard(deps), apiRoutes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
