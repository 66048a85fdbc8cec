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

/** Names people read for the fields of the API (the last path segment that is not an index). */
const FIELD_LABELS: Record<string, string> = {
  email: "Email", password: "Password", name: "Name", role: "Role", chatbotId: "Chatbot", chatbotPermissions: "Chatbot access",
  access: "Access", memberId: "Member", subject: "Subject", groupName: "Group name", cursor: "Page", limit: "Page size",
  from: "Start date", to: "End date", idpMetadataUrl: "Metadata URL", idpMetadataXml: "Metadata XML", idpSsoUrl: "Sign-in URL",
  idpEntityId: "Identity provider entity ID", idpCerts: "Certificate", domain: "Domain", issuer: "Issuer", clientId: "Client ID",
  clientSecret: "Client secret", serviceAccountKey: "Service account key", adminEmail: "Admin email", actor: "Actor", affected: "Person affected", action: "Action", "(body)": "The request",
};

export function fieldLabel(field: string): string {
  const part = field.split(".").filter((p) => !/^\d+$/.test(p) && p !== "query").pop() ?? field;
  if (FIELD_LABELS[part]) return FIELD_LABELS[part];
  const words = part.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase().trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : "A field";
}

/** "Name can be at most 200 characters." for each problem: the sentence a person reads. */
export function problemSentences(fields: FieldProblem[]): string {
  return fields.map((f) => {
    const text = /^[A-Z]/.test(f.message) ? f.message : `${fieldLabel(f.field)} ${f.message}`;
    return /[.!?]$/.test(text) ? text : `${text}.`;
  }).join(" ");
}

export class ValidationError extends AppError {
  constructor(readonly fields: FieldProblem[], message?: string) {
    super("request.invalid", 400, message ?? (fields.length ? problemSentences(fields) : "The request is not valid."), { fields });
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
