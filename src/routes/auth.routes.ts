/** /api/auth/* (sign-up, sign-in, sign-out, sign out everywhere, password reset, CSRF token) and /api/me. */
import type { Lifecycle } from "../http/lifecycle";
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requireAuth, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { SharedRateLimiter } from "../http/rate-limit";
import { endSession, startSession } from "../http/session";
import { MIN_PASSWORD_LENGTH } from "../auth/passwords";
import { me, signIn, signOutEverywhere, signUp, InvalidCredentialsError } from "../accounts/account.service";
import { normalizeEmail } from "../accounts/users";
import { emailField } from "./schemas";
import { describeResetLink, requestPasswordReset, resetPassword } from "../accounts/password-reset";
import { SESSION_COOKIE } from "../auth/sessions";
import { setCookie } from "../http/cookies";

export { emailField } from "./schemas";
export const passwordField = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200);
export const nameField = z.string().trim().min(1, "is required").max(200);

export const RESET_REQUESTED = "If an account uses this email, we sent it a link to reset the password. The link works for 30 minutes.";

const RESET_WORK_DELAY_MS = 20;

const userJson = (u: { id: string; email: string; name: string | null; emailVerified: boolean }) =>
  ({ id: u.id, email: u.email, name: u.name, emailVerified: u.emailVerified });

export function authRoutes(deps: Deps): Router {
  const r = Router();
  const now = () => deps.clock.now();
  const perIp = new SharedRateLimiter(deps.ds, "signin-ip", deps.config.rateLimits.signInPerIp, now);
  const perEmail = new SharedRateLimiter(deps.ds, "signin-email", deps.config.rateLimits.signInPerEmail, now);

  r.get("/auth/csrf", (req, res) => {
    res.json({ csrfToken: req.auth?.session.csrfToken ?? null, signedIn: !!req.auth });
  });

  r.post("/auth/signup", asyncHandler(async (req, res) => {
    await perIp.hit(`signup:${req.ip}`);
    const body = parse(z.object({ email: emailField, password: passwordField, name: nameField }), req.body);
    const user = await signUp(deps, body);
    const { csrfToken } = await startSession(deps, req, res, user.id, "password");
    res.status(201).json({ user: userJson(user), csrfToken });
  }));

  r.post("/auth/signin", asyncHandler(async (req, res) => {
    await perIp.hit(`signin:${req.ip}`);
    const body = parse(z.object({ email: emailField, password: z.string().min(1, "is required").max(200) }), req.body);
    const emailKey = `signin:${normalizeEmail(body.email)}`;
    await perEmail.hit(emailKey);
    try {
      const { user, authMethod } = await signIn(deps, userCtx(req), body.email, body.password);
      await perEmail.reset(emailKey);
      const { csrfToken } = await startSession(deps, req, res, user.id, authMethod);
      res.json({ user: userJson(user), csrfToken });
    } catch (err) {
      if (!(err instanceof InvalidCredentialsError)) await perEmail.reset(emailKey);
      throw err;
    }
  }));

  r.post("/auth/signout", asyncHandler(async (req, res) => {
    await endSession(deps, req, res);
    res.status(204).end();
  }));

  r.post("/auth/signout-everywhere", requireAuth, asyncHandler(async (req, res) => {
    const sessionsEnded = await signOutEverywhere(deps, userCtx(req), req.auth!.user.id);
    setCookie(res, SESSION_COOKIE, "", { secure: deps.config.secureCookies, maxAgeSeconds: 0 });
    req.auth = undefined;
    res.json({ sessionsEnded });
  }));

  // Password reset. Limits are shared by every instance (PostgreSQL) and counted whether or not
  // the address has an account, so a 429 says nothing about it either.
  const resetPerIp = new SharedRateLimiter(deps.ds, "reset-ip", deps.config.rateLimits.passwordResetPerIp, now);
  const resetPerEmail = new SharedRateLimiter(deps.ds, "reset-email", deps.config.rateLimits.passwordResetPerEmail, now);
  const resetLinkPerIp = new SharedRateLimiter(deps.ds, "reset-link-ip", deps.config.rateLimits.passwordResetPerIp, now);

  r.post("/auth/password-reset", asyncHandler(async (req, res) => {
    await resetPerIp.hit(`reset:${req.ip}`);
    const body = parse(z.object({ email: emailField }), req.body);
    await resetPerEmail.hit(`reset:${normalizeEmail(body.email)}`);
    // Answer first, then look the address up: the response (words, status, timing) cannot depend
    // on whether an account exists. A failure after this point is logged, never shown.
    // The work starts a moment after the answer has left, so it cannot even delay the last bytes
    // (with the embedded database, queries run on this thread).
    // A shutdown drain waits for it (Lifecycle.afterResponse).
    const ctx = userCtx(req);
    (req.app.locals.lifecycle as Lifecycle).afterResponse(res, RESET_WORK_DELAY_MS, () => requestPasswordReset(deps, ctx, body.email)
      .then((outcome) => req.log.info({ outcome }, "password reset requested"))
      .catch((err) => req.log.error({ err }, "password reset request failed")));
    res.status(202).json({ message: RESET_REQUESTED });
  }));

  r.post("/auth/password-reset/check", asyncHandler(async (req, res) => {
    await resetLinkPerIp.hit(`link:${req.ip}`);
    const body = parse(z.object({ token: z.string().max(200) }), req.body);
    res.json(await describeResetLink(deps, body.token));
  }));

  r.post("/auth/password-reset/confirm", asyncHandler(async (req, res) => {
    await resetLinkPerIp.hit(`link:${req.ip}`);
    const body = parse(z.object({ token: z.string().max(200), password: passwordField }), req.body);
    const { email, sessionsEnded } = await resetPassword(deps, userCtx(req), body.token, body.password);
    // Every session ended, this browser's too: the person signs in again with the new password,
    // through the usual rules (SSO requirements, break-glass audit).
    setCookie(res, SESSION_COOKIE, "", { secure: deps.config.secureCookies, maxAgeSeconds: 0 });
    req.auth = undefined;
    res.json({ email, sessionsEnded });
  }));

  r.get("/me", requireAuth, asyncHandler(async (req, res) => {
    res.json(await me(deps, req.auth!.user));
  }));
  return r;
}
