/**
 * POST /:token/accept of an emailed link (invitations, IdP join links): the same body, the same
 * account rules and the same answer; a new account is signed in on the spot.
 */
import type { Request, Response } from "express";
import { z } from "zod";
import type { Ctx, Deps } from "../context";
import type { User } from "../../entities";
import { userCtx } from "../http/auth-middleware";
import { parse } from "../http/validate";
import { startSession } from "../http/session";
import { nameField, passwordField } from "./auth.routes";

export interface LinkAccepted { membershipId: string; orgId: string; user: User; signIn: boolean }
type Accept = (deps: Deps, ctx: Ctx, token: string, who: { user?: User; name?: string; password?: string }) => Promise<LinkAccepted>;

export async function acceptLink(deps: Deps, req: Request, res: Response, accept: Accept): Promise<void> {
  const body = parse(z.object({ name: nameField.optional(), password: passwordField.optional() }), req.body);
  const accepted = await accept(deps, userCtx(req), String(req.params.token), { user: req.auth?.user, ...body });
  let csrfToken = req.auth?.session.csrfToken;
  if (accepted.signIn) csrfToken = (await startSession(deps, req, res, accepted.user.id, "password")).csrfToken;
  res.status(201).json({
    membership: { id: accepted.membershipId, orgId: accepted.orgId },
    user: { id: accepted.user.id, email: accepted.user.email, name: accepted.user.name },
    csrfToken,
  });
}
