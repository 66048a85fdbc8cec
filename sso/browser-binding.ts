/**
 * Binds a login transaction to the browser that started it (login CSRF defence, RFC 9700 §4.7):
 * a random HttpOnly cookie whose sha256 is stored with the transaction and compared on return.
 *
 * The SAML ACS is a cross-site POST, so on https the cookie is `SameSite=None; Secure` (a Lax
 * cookie would not arrive). On plain-http development setups `None` without `Secure` is
 * rejected by browsers, so the attribute is left out there (browsers then apply their default).
 * The cookie authenticates nothing: it only has to match.
 */
import { randomBytes } from "node:crypto";
import type { Request, Response } from "express";
import { readCookie } from "../src/http/cookies";
import { safeEqual, sha256 } from "../src/auth/tokens";

export const BINDING_COOKIE = "roster_sso_binding";
const MAX_AGE_SECONDS = 15 * 60;

/** Returns the hash to store with a new transaction; reuses the browser's cookie so parallel tabs work. */
export function bindBrowser(req: Request, res: Response, secure: boolean): string {
  let value = readCookie(req.headers.cookie, BINDING_COOKIE);
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) value = randomBytes(32).toString("base64url");
  const parts = [`${BINDING_COOKIE}=${value}`, "Path=/sso/", "HttpOnly", `Max-Age=${MAX_AGE_SECONDS}`];
  if (secure) parts.push("SameSite=None", "Secure");
  res.append("Set-Cookie", parts.join("; "));
  return sha256(value);
}

export function browserMatches(req: Request, storedHash: unknown): boolean {
  const value = readCookie(req.headers.cookie, BINDING_COOKIE);
  return typeof storedHash === "string" && !!value && safeEqual(sha256(value), storedHash);
}
