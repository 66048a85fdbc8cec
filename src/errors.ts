/**
 * One error family for the whole domain. Services throw these; each surface (JSON API, SCIM,
 * SSO pages) renders them in one place. `code` is `noun.reason`; `expose` says whether the
 * message may reach a client (never for 5xx).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
  get expose(): boolean {
    return this.status < 500;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(readonly fields: FieldProblem[], message = "The request is not valid.") {
    super("request.invalid", 400, message, { fields });
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = "Sign in first.", code = "auth.required") {
    super(code, 401, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, 403, message, details);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string, code = `${what.toLowerCase().replace(/\s+/g, "_")}.not_found`) {
    super(code, 404, `${what} not found.`);
  }
}
export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, 409, message, details);
  }
}
export class GoneError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, 410, message, details);
  }
}
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super("request.rate_limited", 429, `Too many attempts. Try again in ${retryAfterSeconds} seconds.`);
  }
}
export class UnavailableError extends AppError {
  constructor(message = "The service is temporarily unavailable.", options?: { cause?: unknown }) {
    super("service.unavailable", 503, message, undefined, options);
  }
}
