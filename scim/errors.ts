/**
 * Every SCIM error leaves through here (RFC 7644 §3.12): Error schema, `status` as a string, a
 * scimType where one applies, Content-Type application/scim+json. Unknown errors never forward
 * their message: a database outage is 503, anything else a generic 500.
 */
import type { ErrorRequestHandler, Response } from "express";
import { SCIMMY, ERROR_SCHEMA } from "./scimmy";
import { AppError, RateLimitedError } from "../src/errors";
import { isConnectionError, isInvalidTextRepresentation, isUniqueViolation } from "../src/db/pg-errors";
import { LastOwnerError, ManagedByIdpError } from "../src/members/member.errors";
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from "../src/http/error-handler";

export type ScimType =
  | "uniqueness" | "invalidFilter" | "invalidValue" | "invalidSyntax" | "mutability" | "noTarget"
  | "tooMany" | "invalidPath" | "invalidVers" | "sensitive";

export class ScimError extends Error {
  constructor(readonly status: number, readonly scimType: ScimType | undefined, readonly detail: string,
    readonly retryAfter?: number, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = "ScimError";
  }
}

export const badValue = (detail: string) => new ScimError(400, "invalidValue", detail);
export const badFilter = (detail: string) => new ScimError(400, "invalidFilter", detail);
export const notFound = (what: string, id: string) => new ScimError(404, undefined, `${what} ${id} not found`);

const UNIQUENESS_CODES = new Set(["member.user_name_taken", "member.exists", "user.email_taken", "scim_group.name_taken"]);

export function toScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  if (err instanceof SCIMMY.Types.Error) {
    const e = err as unknown as { status: number; scimType?: ScimType; message: string };
    return new ScimError(Number(e.status) || 400, e.scimType, e.message);
  }
  if (err instanceof LastOwnerError || err instanceof ManagedByIdpError) return new ScimError(409, undefined, err.message);
  if (err instanceof RateLimitedError) return new ScimError(429, "tooMany", err.message, err.retryAfterSeconds);
  if (err instanceof AppError) {
    if (err.status === 409) return new ScimError(409, UNIQUENESS_CODES.has(err.code) ? "uniqueness" : undefined, err.message);
    if (err.status === 400) {
      const fields = (err.details?.fields as Array<{ field: string; message: string }> | undefined) ?? [];
      return new ScimError(400, "invalidValue", fields.length ? fields.map((f) => `${f.field}: ${f.message}`).join("; ") : err.message);
    }
    if (err.status < 500) return new ScimError(err.status, undefined, err.message);
    if (err.status === 503) return new ScimError(503, undefined, "The service is temporarily unavailable; retry later.", undefined, { cause: err });
  }
  const e = err as { type?: string; status?: number };
  if (e?.type === "entity.parse.failed") return new ScimError(400, "invalidSyntax", "The request body is not valid JSON.");
  if (e?.type === "entity.too.large") return new ScimError(413, undefined, "The request body is too large.");
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) return new ScimError(e.status, undefined, "The request could not be processed.");
  if (isUniqueViolation(err)) return new ScimError(409, "uniqueness", "A resource with this value already exists.");
  if (isInvalidTextRepresentation(err)) return new ScimError(400, "invalidValue", "A value has the wrong format.");
  if (isConnectionError(err)) return new ScimError(503, undefined, "The service is temporarily unavailable; retry later.", undefined, { cause: err });
  return new ScimError(500, undefined, "Internal error.", undefined, { cause: err });
}

export function sendScimError(res: Response, e: ScimError): void {
  if (e.retryAfter !== undefined) res.setHeader("Retry-After", String(e.retryAfter));
  else if (e.status === 503) res.setHeader("Retry-After", String(RETRY_AFTER_UNAVAILABLE_SECONDS));
  res.status(e.status).type("application/scim+json").json({
    schemas: [ERROR_SCHEMA], status: String(e.status), ...(e.scimType ? { scimType: e.scimType } : {}), detail: e.detail,
  });
}

export const scimErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const e = toScimError(err);
  if (e.status >= 500) req.log?.error({ err: (e.cause as Error) ?? err }, "SCIM request failed");
  if (res.headersSent) return;
  sendScimError(res, e);
};
