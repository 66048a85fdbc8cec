/**
 * Invite several people at once: one role and scope, one invitation (own transaction, audit event
 * and email) per address, and a result per address, so one bad address never blocks the rest.
 */
import type { Ctx, Deps } from "../context";
import type { Role } from "../../entities";
import { AppError, ForbiddenError, ValidationError } from "../errors";
import { normalizeEmail } from "../accounts/users";
import { createInvitation, type InvitationView, type InviteInput } from "./invitation.service";

export const BULK_INVITE_MAX = 100;

export type BulkResult =
  | { email: string; status: "invited"; invitation: InvitationView }
  | { email: string; status: "failed"; error: { code: string; message: string } };

/** `rejected`: addresses the route already refused (not an email), reported in their place. */
export async function inviteMany(
  deps: Deps, ctx: Ctx, actorRole: Role, orgId: string, emails: string[], rejected: Map<string, string>, common: Omit<InviteInput, "email">,
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  const seen = new Set<string>();
  for (const raw of emails) {
    const email = raw.trim();
    const problem = rejected.get(raw);
    if (problem) { results.push({ email, status: "failed", error: { code: "validation.failed", message: problem } }); continue; }
    const key = normalizeEmail(email);
    if (seen.has(key)) { results.push({ email, status: "failed", error: { code: "invitation.duplicate", message: "This address is already in the list." } }); continue; }
    seen.add(key);
    try {
      results.push({ email, status: "invited", invitation: await createInvitation(deps, ctx, actorRole, orgId, { ...common, email }) });
    } catch (err) {
      // Rules that refuse one address (already a member, pending invitation…) are its result. The
      // role or chatbots being refused (403, 400: the address itself was checked) concern the whole request.
      if (!(err instanceof AppError) || !err.expose || err instanceof ValidationError || err instanceof ForbiddenError) throw err;
      results.push({ email, status: "failed", error: { code: err.code, message: err.message } });
    }
  }
  return results;
}
