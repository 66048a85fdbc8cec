/**
 * First-run setup: while no organization exists, a one-time token (printed by the server at start)
 * lets the person who started Roster create the first organization and its Owner from the
 * browser, and signs them in. Refused for good once any organization exists.
 */
import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../context";
import { asyncHandler, csrfGuard, userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { startSession } from "../http/session";
import { newSecret, safeEqual } from "../auth/tokens";
import { countOrgs, createOrgWithOwner } from "../orgs/org.service";
import { findUserByEmail } from "../accounts/users";
import { ConflictError, ForbiddenError } from "../errors";
import { PLANS } from "../../entities";
import { emailField, nameField, passwordField } from "../routes/auth.routes";

const tokens = new WeakMap<Deps, string>();
const running = new WeakMap<Deps, Promise<unknown>>();

/** The setup token of this server process (made on first call); log it as `${baseUrl}/setup?token=…`. */
export function setupToken(deps: Deps): string {
  let token = tokens.get(deps);
  if (!token) {
    token = newSecret("setup_").token;
    tokens.set(deps, token);
  }
  return token;
}

/** The link to print at start when no organization exists yet. */
export function setupLink(deps: Deps): string {
  return `${deps.config.baseUrl}/setup?token=${setupToken(deps)}`;
}

const setupBody = z.object({
  token: z.string().max(200),
  orgName: z.string().trim().min(1, "is required").max(200),
  plan: z.enum(PLANS, { message: `must be one of ${PLANS.join(", ")}` }),
  name: nameField,
  email: emailField,
  password: passwordField,
});

/** GET /api/setup → {needed}; POST /api/setup {token, orgName, plan, name, email, password} → 201 {orgId, csrfToken}. */
export function setupRoutes(deps: Deps): Router {
  const r = Router();
  r.get("/api/setup", asyncHandler(async (_req, res) => {
    res.json({ needed: (await countOrgs(deps)) === 0 });
  }));

  r.post("/api/setup", csrfGuard(deps), asyncHandler(async (req, res) => {
    const body = parse(setupBody, req.body);
    if (!safeEqual(body.token, setupToken(deps))) {
      throw new ForbiddenError("setup.bad_token", "This setup link is not valid. Use the link printed in the server log when Roster started.", { field: "token" });
    }
    // One setup at a time in this process; the count check inside makes the second one fail.
    const previous = running.get(deps) ?? Promise.resolve();
    const attempt = previous.catch(() => undefined).then(async () => {
      if ((await countOrgs(deps)) > 0) throw new ConflictError("setup.done", "Setup is already done: an organization exists. Sign in instead.");
      if (await findUserByEmail(deps.ds.manager, body.email)) {
        throw new ConflictError("setup.email_taken", "An account with this email already exists.", { field: "email" });
      }
      return createOrgWithOwner(deps, userCtx(req), {
        name: body.orgName, plan: body.plan, ownerEmail: body.email, ownerPassword: body.password, ownerName: body.name,
      });
    });
    running.set(deps, attempt);
    const created = await attempt;
    const { csrfToken } = await startSession(deps, req, res, created.owner.id, "password");
    res.status(201).json({ orgId: created.org.id, csrfToken });
  }));
  return r;
}
