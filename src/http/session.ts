/** Starting and ending a browser session on a response: the one place the session cookie is written. */
import type { Request, Response } from "express";
import type { Deps } from "../context";
import { createSession, destroySession, SESSION_COOKIE, SESSION_TTL_SECONDS } from "../auth/sessions";
import { setCookie } from "./cookies";

/**
 * Signs `userId` in. Any session the browser already had is destroyed first, so a fresh id is
 * issued on every sign-in (no session fixation). `authMethod` is "password", "break-glass" or
 * "sso:<orgId>" (requireOrgMember checks it against the org).
 */
export async function startSession(deps: Deps, req: Request, res: Response, userId: string, authMethod: string): Promise<{ csrfToken: string }> {
  if (req.auth) await destroySession(deps.ds, req.auth.cookie);
  const { cookie, csrfToken } = await createSession(deps.ds, userId, authMethod, deps.clock.now());
  setCookie(res, SESSION_COOKIE, cookie, { secure: deps.config.secureCookies, maxAgeSeconds: SESSION_TTL_SECONDS });
  req.auth = undefined;
  return { csrfToken };
}

export async function endSession(deps: Deps, req: Request, res: Response): Promise<void> {
  if (req.auth) await destroySession(deps.ds, req.auth.cookie);
  setCookie(res, SESSION_COOKIE, "", { secure: deps.config.secureCookies, maxAgeSeconds: 0 });
  req.auth = undefined;
}
