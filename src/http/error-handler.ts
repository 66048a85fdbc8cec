/**
 * The one place a JSON API error becomes a response. Typed domain errors keep their status,
 * code and message; anything else is a 500 (or 503 when the database is out of reach) with a
 * generic message and the request id, and its cause goes to the log only.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, RateLimitedError, UnavailableError } from "../errors";
import { isConnectionError } from "../db/pg-errors";

/** What a client should wait before retrying a 503 (database unreachable or too slow, or draining). */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number };
  // body-parser errors: malformed JSON, too large, bad charset
  if (e?.type === "entity.parse.failed") return new AppError("request.malformed_json", 400, "The request body is not valid JSON.");
  if (e?.type === "entity.too.large") return new AppError("request.too_large", 413, "The request body is too large.");
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return new AppError("request.invalid", e.status, "The request could not be processed.");
  }
  if (isConnectionError(err)) return new UnavailableError(undefined, { cause: err });
  return new AppError("internal", 500, "Something went wrong on our side.", undefined, { cause: err });
}

export function errorBody(err: AppError, requestId: string | undefined): Record<string, unknown> {
  return {
    error: { code: err.code, message: err.expose ? err.message : "Something went wrong on our side.", ...(err.expose ? err.details : {}), requestId },
  };
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  const appErr = toAppError(err);
  if (appErr.status >= 500) req.log?.error({ err: (appErr.cause as Error) ?? err }, "request failed");
  if (appErr instanceof RateLimitedError) res.setHeader("Retry-After", String(appErr.retryAfterSeconds));
  if (appErr.status === 503) res.setHeader("Retry-After", String(RETRY_AFTER_UNAVAILABLE_SECONDS));
  res.status(appErr.status).json(errorBody(appErr, String(req.id ?? "")));
};

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: "route.not_found", message: `No route for ${req.method} ${req.path}.`, requestId: String(req.id ?? "") } });
};
