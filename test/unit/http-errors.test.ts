import { QueryFailedError } from "typeorm";
import { errorBody, toAppError } from "../../src/http/error-handler";
import { AppError, ConflictError, ForbiddenError, GoneError, NotFoundError, RateLimitedError, UnauthenticatedError, UnavailableError, ValidationError } from "../../src/errors";
import { backoffSeconds } from "../../src/mail/dispatcher";
import { setCookie } from "../../src/http/cookies";
import { loggableUrl } from "../../src/logger";

describe("toAppError", () => {
  it("keeps typed domain errors as they are", () => {
    for (const e of [new ValidationError([]), new UnauthenticatedError(), new ForbiddenError("x.y", "no"), new NotFoundError("Thing"),
      new ConflictError("x.y", "dup"), new GoneError("x.y", "gone"), new RateLimitedError(3), new UnavailableError()]) {
      expect(toAppError(e)).toBe(e);
    }
  });

  it("turns a database outage into 503 and anything unknown into a generic 500", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });
    expect(toAppError(refused).status).toBe(503);
    const pgDown = new QueryFailedError("SELECT 1", [], Object.assign(new Error("terminating connection"), { code: "57P01" }));
    expect(toAppError(pgDown).status).toBe(503);
    const unknown = toAppError(new Error("relation \"users\" does not exist"));
    expect(unknown.status).toBe(500);
    const body = JSON.stringify(errorBody(unknown, "req-1"));
    expect(body).not.toContain("relation");
    expect(body).toContain("req-1");
  });

  it("never exposes a 5xx message", () => {
    const e = new AppError("x", 500, "secret internals");
    expect(JSON.stringify(errorBody(e, "r"))).not.toContain("secret internals");
  });
});

describe("outbox backoff", () => {
  it("doubles from 5 s and caps at an hour", () => {
    expect([1, 2, 3, 4].map(backoffSeconds)).toEqual([5, 10, 20, 40]);
    expect(backoffSeconds(20)).toBe(3600);
  });
});

describe("session cookie", () => {
  it("adds Secure when asked (BASE_URL https)", () => {
    const headers: string[] = [];
    const res = { append: (_k: string, v: string) => headers.push(v) } as never;
    setCookie(res, "roster_session", "abc", { secure: true, maxAgeSeconds: 60 });
    expect(headers[0]).toBe("roster_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
  });
});

describe("loggableUrl", () => {
  it("keeps invitation tokens and SSO codes out of the log", () => {
    expect(loggableUrl("/invitations/abcDEF123_-")).toBe("/invitations/[redacted]");
    expect(loggableUrl("/api/invitations/abcDEF123_-/accept")).toBe("/api/invitations/[redacted]/accept");
    expect(loggableUrl("/sso/oidc/1/callback?code=secret&state=s")).toBe("/sso/oidc/1/callback?[redacted]");
    expect(loggableUrl("/setup?token=t")).toBe("/setup?[redacted]");
    expect(loggableUrl("/join/abc")).toBe("/join/[redacted]");
    expect(loggableUrl("/api/joins/abc/accept")).toBe("/api/joins/[redacted]/accept");
    expect(loggableUrl("/sso-link/abc")).toBe("/sso-link/[redacted]");
    expect(loggableUrl("/api/sso-links/abc/confirm")).toBe("/api/sso-links/[redacted]/confirm");
    expect(loggableUrl("/api/orgs/1/audit-events?action=member.*")).toBe("/api/orgs/1/audit-events?action=member.*");
  });
});
