/**
 * Following a join link: the person takes the membership their org's IdP provisioned for them
 * (src/members/provision.ts). Holding the link proves the address (src/accounts/claim.ts): signed
 * in with that email, or creating (claiming an unverified) account. The membership then moves
 * from its placeholder account to theirs, in one transaction under the org lock; the link works once.
 */
import type { EntityManager } from "typeorm";
import { Membership, Organization, type User } from "../../entities";
import type { Ctx, Deps } from "../context";
import { sha256 } from "../auth/tokens";
import { hashPassword } from "../auth/passwords";
import { ConflictError, NotFoundError } from "../errors";
import { accountForLinkHolder } from "../accounts/claim";
import { lockOrg, moveToAccount } from "./member.service";
import { PENDING_DOMAIN } from "./provision";

async function byToken(tx: EntityManager, token: string, lock: boolean): Promise<Membership> {
  const qb = tx.getRepository(Membership).createQueryBuilder("m").where("m.join_token_hash = :h", { h: sha256(token) });
  if (lock) qb.setLock("pessimistic_write");
  const m = await qb.getOne();
  if (!m || !m.pendingEmail) throw new NotFoundError("Join link", "join.not_found");
  return m;
}

export async function describeJoin(deps: Deps, token: string): Promise<{ orgName: string; email: string }> {
  const m = await byToken(deps.ds.manager, token, false);
  const org = await deps.ds.getRepository(Organization).findOneByOrFail({ id: m.orgId });
  return { orgName: org.name, email: m.pendingEmail! };
}

export interface JoinInput {
  user?: User;
  name?: string;
  password?: string;
}

export async function acceptJoin(deps: Deps, ctx: Ctx, token: string, input: JoinInput): Promise<{ user: User; membershipId: string; orgId: string; signIn: boolean }> {
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  return deps.ds.transaction(async (tx) => {
    const found = await byToken(tx, token, false);
    const org = await lockOrg(tx, found.orgId);
    const m = await byToken(tx, token, true);
    const email = m.pendingEmail!;
    const { user, signIn } = await accountForLinkHolder(deps, tx, ctx, email, { user: input.user, name: input.name, passwordHash }, "join", org.id);
    if (await tx.getRepository(Membership).existsBy({ orgId: org.id, userId: user.id })) {
      throw new ConflictError("join.already_member", `${email} is already a member of ${org.name}.`);
    }
    const placeholder = m.userId;
    await moveToAccount(tx, ctx, m, user, email);
    await tx.query(`DELETE FROM users WHERE id = $1 AND email LIKE $2`, [placeholder, `%@${PENDING_DOMAIN}`]);
    return { user, membershipId: m.id, orgId: org.id, signIn };
  });
}
