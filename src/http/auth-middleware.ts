/**
 * Who is calling: the session cookie (loadSession), the CSRF guard for cookie-authenticated
 * writes, and the per-request org membership check (never a role cached in the session:
 * a removed or re-roled member sees the change on their very next request).
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import "./request-types";
import type { Deps } from "../context";
import { findSession, SESSION_COOKIE } from "../auth/sessions";
import { readCookie } from "./cookies";
import { AppError, ForbiddenError, NotFoundError, UnauthenticatedError } from "../errors";
import { can, deniedMessage, type Permission } from "../auth/permissions";
import { safeEqual } from "../auth/tokens";
import { isUuid } from "./validate";
import { formerMembershipOrgName, loadOrgAccess, touchLastActive } from "../members/member-access";
import type { Ctx } from "../context";

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;
export const asyncHandler = (fn: Handler): RequestHandler => (req, res, next) => {
  fn(req, res, next).catch(next);
};

export function loadSession(deps: Deps): RequestHandler {
  return asyncHandler(async (req, _res, next) => {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie) {
      const found = await findSession(deps.ds, cookie, deps.clock.now());
      if (found) req.auth = { ...found, cookie };
    }
    next();
  });
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const JSON_TYPES = ["application/json", "application/*+json"];

/**
 * Whether a write comes from a page of our own origin. `Origin: null` (sandboxed iframes, opaque
 * origins, some redirects) is cross-site whatever else the request says. A missing Origin is
 * same-origin only when the browser says so through `Sec-Fetch-Site: same-origin`: a request with
 * neither header is refused, since an old or unusual client that drops both could otherwise carry
 * a login CSRF (issue 11). Only cookie-based and anonymous browser routes live under /api; token
 * clients (SCIM) have their own paths and never reach this guard.
 */
export function sameOriginWrite(origin: string | undefined, fetchSite: string | undefined, ownOrigin: string): boolean {
  if (origin !== undefined) return origin === ownOrigin; // "null" never equals an origin
  return fetchSite === "same-origin";
}

/**
 * Writes from a browser must come from our own origin (this also stops login CSRF on the
 * anonymous sign-in, sign-up and invitation routes) and carry JSON: a form, which any site can
 * post without a preflight, is refused with 415. Cookie-authenticated writes must also carry the
 * session's CSRF token.
 */
export function csrfGuard(deps: Deps): RequestHandler {
  const ownOrigin = new URL(deps.config.baseUrl).origin;
  return (req, _res, next) => {
    if (SAFE.has(req.method)) return next();
    const fetchSite = req.get("sec-fetch-site");
    if (!sameOriginWrite(req.headers.origin, fetchSite, ownOrigin)) {
      return next(new ForbiddenError("csrf.bad_origin", "Cross-site requests are not allowed."));
    }
    if (req.headers["content-type"] !== undefined && !req.is(JSON_TYPES)) {
      return next(new AppError("request.unsupported_media_type", 415, "Send the request body as application/json."));
    }
    if (req.auth) {
      const header = req.get("x-csrf-token");
      if (!header || !safeEqual(header, req.auth.session.csrfToken)) {
        return next(new ForbiddenError("csrf.missing_token", "Missing or wrong X-CSRF-Token header (get one from GET /api/auth/csrf)."));
      }
    }
    next();
  };
}

export const requireAuth: RequestHandler = (req, _res, next) => {
  next(req.auth ? undefined : new UnauthenticatedError());
};

/** For /api/orgs/:orgId/…: the caller must be an active member of that org, checked on every request. */
export function requireOrgMember(deps: Deps): RequestHandler {
  return asyncHandler(async (req, _res, next) => {
    if (!req.auth) throw new UnauthenticatedError();
    const orgId = req.params.orgId;
    if (!isUuid(orgId)) throw new NotFoundError("Organization");
    const access = await loadOrgAccess(deps.ds, orgId, req.auth.user.id);
    if (!access) {
      const formerOrg = await formerMembershipOrgName(deps.ds, orgId, req.auth.user.email);
      if (formerOrg !== null) {
        throw new ForbiddenError("org.access_removed", `You no longer have access to ${formerOrg}.`, { orgName: formerOrg });
      }
      throw new NotFoundError("Organization");
    }
    if (access.membership.status !== "active") {
      throw new ForbiddenError("member.suspended", "Your access to this organization is suspended.");
    }
    if (access.org.settings?.requireSso && access.membership.role !== "owner"
        && req.auth.session.authMethod !== `sso:${access.org.id}`) {
      // Owners keep password (break-glass) access; everyone else must come through this org's SSO.
      throw new ForbiddenError("org.sso_required", "This organization requires single sign-on. Sign in with SSO to continue.");
    }
    await touchLastActive(deps.ds, access.membership, deps.clock.now());
    req.member = access;
    next();
  });
}

export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!req.member) return next(new UnauthenticatedError());
    if (!can(req.member.subject, permission)) {
      return next(new ForbiddenError("permission.denied", deniedMessage(permission), { permission }));
    }
    next();
  };
}

/** The service context of a signed-in user's request. */
export function userCtx(req: Request): Ctx {
  const u = req.auth?.user;
  return {
    actor: u ? { type: "user", id: u.id, email: u.email, name: u.name } : { type: "system" },
    ip: req.ip ?? null,
    requestId: req.id ? String(req.id) : null,
  };
}
