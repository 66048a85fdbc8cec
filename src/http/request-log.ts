/**
 * The request id and one log line per request: id, method, path (made loggable), status and
 * `durationMs`, at info (error for a 5xx). `req.log` is a logger bound to the request for
 * handlers that have something to say.
 *
 * Why not pino-http: it builds a child logger (serialising its bindings) and a serializer pass
 * for every request before the handler runs, ~5% of the server's CPU per SCIM request. Here the
 * line is one call once the response is done, and the child logger is built only when a handler
 * logs (rarely: errors, refusals).
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { RequestHandler } from "express";
import { loggableUrl, type Logger } from "../logger";

declare module "http" {
  interface IncomingMessage {
    /** The request's id: the caller's X-Request-Id if well-formed, else a new UUID (echoed in the response). */
    id: string;
    /** A logger bound to this request ({ req: { id, method, path } }). */
    log: Logger;
  }
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const QUIET_PATHS = new Set(["/healthz", "/readyz"]);

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const start = performance.now();
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID_RE.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    // Routers rewrite req.url while they run: keep the URL as it arrived.
    const url = req.url;
    const view = () => ({ id, method: req.method, path: loggableUrl(url) });
    let child: Logger | undefined;
    Object.defineProperty(req, "log", { configurable: true, enumerable: false, get: () => (child ??= logger.child({ req: view() })) });
    if (!QUIET_PATHS.has(url)) {
      res.once("close", () => {
        const level = !res.writableFinished ? "warn" : res.statusCode >= 500 ? "error" : "info";
        if (!logger.isLevelEnabled(level)) return;
        const durationMs = Math.round((performance.now() - start) * 10) / 10;
        logger[level]({ req: view(), res: { status: res.statusCode }, durationMs }, level === "warn" ? "request aborted" : "request completed");
      });
    }
    next();
  };
}
