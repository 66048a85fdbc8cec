/** /api/auth/* (sign-up, sign-in, sign-out, CSRF token) and /api/me. */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, requireAuth, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { SharedRateLimiter } from "../http/rate-limit";
import { endSession, startSession } from "../http/session";
import { MIN_PASSWORD_LENGTH } from "../auth/passwords";
import { me, signIn, signUp, InvalidCredentialsError } from "../accounts/account.service";
import { normalizeEmail } from "../accounts/users";
import { emailField } from "./schemas";

export { emailField } from "./schemas";
export const passwordField = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200);
export const nameField = z.string().trim().min(1, "is required").max(200);

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

  r.get("/me", requireAuth, asyncHandler(async (req, res) => {
    res.json(await me(deps, req.auth!.user));
  }));
  return r;
}
