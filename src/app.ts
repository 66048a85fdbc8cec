/**
 * createApp(deps) wires the HTTP surface; it never listens (server.ts does, tests use supertest).
 * Order matters: request id + logs, security headers, body limits, session, CSRF, routes, errors.
 */
import { randomUUID } from "node:crypto";
import express, { type Express } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { Deps } from "./context";
import { requestLogSerializers } from "./logger";
import { errorHandler, notFoundHandler } from "./http/error-handler";
import { csrfGuard, loadSession } from "./http/auth-middleware";
import { refuseUnstorableText } from "./http/input-guard";
import { healthRoutes } from "./routes/health.routes";
import { closeConnectionsWhenDraining, Lifecycle } from "./http/lifecycle";
import { apiRoutes } from "./routes";

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

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

  app.use(pinoHttp({
    logger: deps.logger,
    genReqId: (req, res) => {
      const given = req.headers["x-request-id"];
      const id = typeof given === "string" && REQUEST_ID_RE.test(given) ? given : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" },
    serializers: requestLogSerializers,
    customAttributeKeys: { responseTime: "durationMs" },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
  }));
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
