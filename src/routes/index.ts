/**
 * Every /api route. Org-scoped groups hang under /api/orgs/:orgId behind the membership check
 * (requireOrgMember runs on every request, so removal and role changes apply at once); each
 * group declares the permission it needs.
 */
import { Router } from "express";
import type { Deps } from "../context";
import { requireAuth, requireOrgMember } from "../http/auth-middleware";
import { authRoutes } from "./auth.routes";
import { invitationPublicRoutes, invitationRoutes } from "./invitations.routes";
import { memberRoutes } from "./members.routes";
import { chatbotRoutes } from "./chatbots.routes";
import { auditRoutes } from "./audit.routes";
import { orgRoutes } from "./orgs.routes";
import { joinRoutes } from "./joins.routes";
import { ssoLinkRoutes } from "./sso-links.routes";
import { scimAdminRoutes } from "../../scim/admin.routes";
import { ssoAdminRoutes, ssoPublicApiRoutes } from "../../sso/admin.routes";
import { directoryRoutes } from "../../directory/routes";
import { ssoInteropRoutes } from "../../sso/interop.routes";

export function apiRoutes(deps: Deps): Router {
  const api = Router();
  // Answers depend on who asks (a dead invitation link names the org only to its members), and a
  // 410 is cacheable by default: without this, a browser replays an answer given to someone else.
  api.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  api.use(authRoutes(deps));
  api.use("/invitations", invitationPublicRoutes(deps));
  api.use("/joins", joinRoutes(deps));
  api.use("/sso-links", ssoLinkRoutes(deps));
  api.use("/sso", ssoPublicApiRoutes(deps));

  const org = Router({ mergeParams: true });
  org.use(requireAuth, requireOrgMember(deps));
  org.use(orgRoutes(deps));
  org.use("/invitations", invitationRoutes(deps));
  org.use("/members", memberRoutes(deps));
  org.use(chatbotRoutes(deps));
  org.use("/audit-events", auditRoutes(deps));
  org.use(scimAdminRoutes(deps));
  org.use(ssoAdminRoutes(deps));
  org.use(directoryRoutes(deps));
  org.use(ssoInteropRoutes(deps));
  api.use("/orgs/:orgId", org);
  return api;
}
