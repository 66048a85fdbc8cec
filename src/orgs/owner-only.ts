/**
 * Powers that can make an Owner, or a session for someone else, belong to Owners alone
 * (docs/security.md): creating SCIM tokens, creating or changing SSO connections and their
 * certificates, verifying domains, turning on "require SSO", letting the IdP manage Owners.
 * Admins keep every read of these settings. The CLI acts as the operator and is not limited.
 */
import type { Request } from "express";
import type { CreatorRole, Role } from "../../entities";
import { ForbiddenError } from "../errors";

export const OWNER_ONLY_POWERS = {
  "scim_token.create": "create SCIM tokens",
  "sso_connection.create": "add SSO connections",
  "sso_connection.update": "change SSO connections or their certificates",
  "org_domain.verify": "verify domains",
  "sso.require": "turn on “require SSO”",
  "org.idp_managed_owners": "let the identity provider manage Owners",
} as const;
export type OwnerOnlyPower = keyof typeof OWNER_ONLY_POWERS;

export class OwnerOnlyError extends ForbiddenError {
  constructor(power: OwnerOnlyPower) {
    super("org.owner_only", `Only an Owner can ${OWNER_ONLY_POWERS[power]}.`, { power });
  }
}

/** The caller's role in the org requireOrgMember resolved. */
export function memberRole(req: Request): Role {
  return req.member!.membership.role;
}

export function requireOwner(req: Request, power: OwnerOnlyPower): void {
  if (memberRole(req) !== "owner") throw new OwnerOnlyError(power);
}

/** How a creator is recorded: the org role of a signed-in user, `operator` for the CLI. */
export function creatorRoleOf(actorType: string, role: Role | null): CreatorRole | null {
  if (actorType === "system") return "operator";
  return role;
}

/** Made by someone who could not make it under today's rules: listed for an Owner to review. */
export function needsOwnerReview(role: CreatorRole | null): boolean {
  return role !== "owner" && role !== "operator";
}
