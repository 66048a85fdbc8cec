/**
 * SCIM Users of one org (the token's), as memberships. Every write goes through the member
 * service (src/members: member.service.ts one member at a time with its rules, member.bulk.ts
 * set-based), so effects match the manual flow; nothing here writes a membership itself.
 * Reads are single SQL queries scoped by org.
 */
import type { EntityManager } from "typeorm";
import { Membership, type Organization } from "../entities";
import type { Deps } from "../src/context";
import { applyRemoval, applyRoleChange, applyStatus, lockOrg, membershipInsertError, withRefusalAudit } from "../src/members/member.service";
import { findUserByEmail, normalizeEmail } from "../src/accounts/users";
import { provisionMember } from "../src/members/provision";
import { linkToIdp, replaceIdpMembers, writeIdpFields, type IdpCreateOutcome, type IdpMemberInput } from "../src/members/member.bulk";
import type { CreateBatcher } from "./create-batch";
import { getOrg } from "../src/orgs/org.service";
import { isUuid } from "../src/http/validate";
import { longQuery, prepared } from "../src/db/prepared";
import { ROLE_RANK } from "../src/auth/permissions";
import type { ScimCtx } from "./auth";
import { ScimError, notFound } from "./errors";
import { USER_ATTRS, Params, filterSql } from "./filter";
import type { Paging } from "./list";
import type { UserInput } from "./user-mapping";
import { syncRoles } from "./roles";

export type UserRow = Pick<Membership, "id" | "scimUserName" | "externalId" | "status" | "scimAttributes" | "createdAt" | "updatedAt">;

const COLUMNS = `m.id, m.scim_user_name AS "scimUserName", m.external_id AS "externalId", m.status,
  m.scim_attributes AS "scimAttributes", m.created_at AS "createdAt", m.updated_at AS "updatedAt"`;

export const USER_SORT: Record<string, string> = {
  id: "m.id", username: "lower(m.scim_user_name)", externalid: "m.external_id", displayname: "lower(m.scim_attributes->>'displayName')",
  "name.familyname": "lower(m.scim_attributes->'name'->>'familyName')", "name.givenname": "lower(m.scim_attributes->'name'->>'givenName')",
  "meta.created": "m.created_at", "meta.lastmodified": "m.updated_at",
};
/** Creation order: positions (memberships.scim_pos), then the users created since the last list (no position yet). */
export const USER_ORDER_DEFAULT = "m.scim_pos, m.created_at, m.id";

/**
 * One page and the total. Unfiltered: the total is the org's maintained count and a page in the
 * default order seeks to its position on memberships_org_scim_pos_idx, skipping only the
 * positions freed since the last renumbering (scim_position_gaps below startIndex), so its cost
 * does not depend on startIndex or the size of the org. Users created since the last list get
 * their positions first (assign_scim_positions, one statement; the org's counter row says
 * whether any are waiting). Filtered: LIMIT/OFFSET over the
 * filter's index, and a count(*) only when the page is full.
 */
export async function listUsers(deps: Deps, sc: ScimCtx, filter: Array<Record<string, unknown>> | undefined, page: Paging, order: string): Promise<{ rows: UserRow[]; total: number }> {
  if (!filter) return listAllUsers(deps, sc.orgId, page, order);
  const p = new Params([sc.orgId]);
  const where = `m.org_id = $1 AND m.scim_user_name IS NOT NULL AND (${filterSql(filter, USER_ATTRS, p)})`;
  const rows: UserRow[] = page.count === 0 ? [] : await deps.ds.query(
    `SELECT ${COLUMNS} FROM memberships m WHERE ${where} ORDER BY ${order} LIMIT ${page.count} OFFSET ${page.startIndex - 1}`, p.values);
  const exact = rows.length > 0 && rows.length < page.count || (rows.length === 0 && page.startIndex === 1 && page.count > 0);
  const total = exact ? page.startIndex - 1 + rows.length
    : Number((await deps.ds.query(`SELECT count(*)::int AS n FROM memberships m WHERE ${where}`, p.values))[0].n);
  return { rows, total };
}

/**
 * The page for `filter=userName eq "…"` when scim/auth.ts read the user with the token: userName
 * is unique per org in any case, so the matches are that user or none, and the page and total
 * follow without another query (what listUsers would answer: scim-users.test.ts compares the two).
 */
export function lookupPage(row: UserRow | null, page: Paging): { rows: UserRow[]; total: number } {
  const total = row ? 1 : 0;
  return { rows: row && page.startIndex === 1 && page.count > 0 ? [row] : [], total };
}

async function listAllUsers(deps: Deps, orgId: string, page: Paging, order: string, assigned = false): Promise<{ rows: UserRow[]; total: number }> {
  const slice = order === USER_ORDER_DEFAULT
    ? `SELECT ${COLUMNS} FROM memberships m WHERE m.org_id = $1 AND m.scim_pos IS NOT NULL AND m.scim_pos >= $2 ORDER BY m.scim_pos LIMIT $3
        OFFSET CASE WHEN c.scim_gaps = 0 THEN 0 ELSE (SELECT count(*) FROM scim_position_gaps g WHERE g.org_id = $1 AND g.pos < $2) END`
    : `SELECT ${COLUMNS} FROM memberships m WHERE m.org_id = $1 AND m.scim_user_name IS NOT NULL ORDER BY ${order} LIMIT $3 OFFSET $2::bigint - 1`;
  const found: Array<UserRow & { total: number; unpositioned: boolean; due: boolean }> = await deps.ds.query(
    `SELECT c.scim_users AS total, c.unpositioned, EXISTS (SELECT 1 FROM scim_positions_due d WHERE d.org_id = $1) AS due, p.*
       FROM org_member_counts c LEFT JOIN LATERAL (${slice}) p ON true WHERE c.org_id = $1`,
    [orgId, page.startIndex, page.count]);
  if (!assigned && (found[0]?.unpositioned || found[0]?.due)) {
    await maintainPositions(deps, orgId, found[0]);
    return listAllUsers(deps, orgId, page, order, true);
  }
  const total = Number(found[0]?.total ?? 0);
  return { rows: found.filter((r) => r.id !== null).map(({ total: _t, unpositioned: _u, due: _d, ...row }) => row), total };
}

/** How long the position bookkeeping may take (a request's own queries get DB_STATEMENT_TIMEOUT_MS). */
export const POSITIONS_TIMEOUT_MS = 300_000;

/**
 * The position bookkeeping that grows with the org: renumbering after removals outgrew the gap
 * bound (compact_scim_positions), then numbering the users created since the last list
 * (assign_scim_positions). Each runs in its own transaction under POSITIONS_TIMEOUT_MS instead of
 * the request timeout: at 90,000 users either took 3.5-4.5 s on the bench machine, and a
 * timeout would roll it back for every later list alike (1764510000000-ScimPositionsOutOfRequests).
 * Renumbering first: it takes the org's rows, then its counter row, the order removals take them.
 */
async function maintainPositions(deps: Deps, orgId: string, state: { unpositioned: boolean; due: boolean }): Promise<void> {
  const run = (sql: string) => deps.ds.transaction(async (tx) => {
    await tx.query(`SET LOCAL statement_timeout = ${POSITIONS_TIMEOUT_MS}`);
    await tx.query(longQuery(sql, POSITIONS_TIMEOUT_MS), [orgId]);
  });
  if (state.due) await run(`SELECT compact_scim_positions($1)`);
  if (state.unpositioned) await run(`SELECT assign_scim_positions($1)`);
}

async function findScimMember(tx: EntityManager, orgId: string, id: string, lockRow = false): Promise<Membership> {
  if (!isUuid(id)) throw notFound("User", id);
  const qb = tx.getRepository(Membership).createQueryBuilder("m")
    .where("m.id = :id AND m.org_id = :orgId AND m.scim_user_name IS NOT NULL", { id, orgId });
  if (lockRow) qb.setLock("pessimistic_write");
  const m = await qb.getOne();
  if (!m) throw notFound("User", id);
  return m;
}

export async function getUser(deps: Deps, sc: ScimCtx, id: string): Promise<UserRow> {
  const m = await findScimMember(deps.ds.manager, sc.orgId, id);
  sc.users?.note(m); // Okta reads a user before it replaces it
  return m;
}

async function assertUserNameFree(tx: EntityManager, orgId: string, userName: string, exceptId: string | null): Promise<void> {
  const rows = await tx.query(
    `SELECT 1 FROM memberships WHERE org_id = $1 AND lower(scim_user_name) = lower($2) AND ($3::uuid IS NULL OR id <> $3::uuid)`,
    [orgId, userName, exceptId]);
  if (rows.length) throw userNameTaken(userName);
}

const userNameTaken = (userName: string) => new ScimError(409, "uniqueness", `A user with userName '${userName}' already exists.`);

/**
 * The account behind a new SCIM user is provisionMember's decision (src/members/provision.ts):
 * the person's account only at a domain this org verified, else a membership pending until the
 * person follows the emailed join link. Before that: a person who already joined this org by hand
 * is adopted (their own membership); one who already is a SCIM user here (a membership is one per
 * account and org) gets an inert account of their own, as a user without email does.
 */
async function membershipHere(tx: EntityManager, orgId: string, email: string | null): Promise<Membership | null> {
  const user = email ? await findUserByEmail(tx, email) : null;
  return user ? tx.getRepository(Membership).findOneBy({ orgId, userId: user.id }) : null;
}

async function provisionScimUser(deps: Deps, tx: EntityManager, sc: ScimCtx, org: Organization, input: UserInput, here: Membership | null): Promise<Membership> {
  await assertUserNameFree(tx, org.id, input.userName, null);
  const { membership } = await provisionMember(deps, tx, sc.ctx, org, {
    email: here ? null : input.email, name: input.displayName, role: input.scimRole ?? "member", source: "scim",
    scim: { userName: input.userName, externalId: input.externalId, attributes: input.attributes, active: input.active, scimRole: input.scimRole },
    auditMetadata: { userName: input.userName },
  }, "scim");
  return membership;
}

/**
 * Which write path a create takes: the set-based createIdpMembers (one statement, no lock) for
 * the common case; provisionMember when the email is outside the org's verified domains (a join
 * link goes out) or the role is Owner (the IdP Owner guard, under the org lock); adoption of a
 * manual member under the org lock. userName uniqueness is held by the unique index too
 * (23505 → 409 uniqueness).
 */
export async function createUser(deps: Deps, sc: ScimCtx, input: UserInput, batcher: CreateBatcher): Promise<UserRow> {
  let outcome: IdpCreateOutcome["outcome"] = "retry";
  if (input.scimRole !== "owner") {
    const email = input.email ? normalizeEmail(input.email) : null;
    const unread = sc.unconfirmed?.token;
    const one: IdpMemberInput = {
      userName: input.userName, externalId: input.externalId, attributes: input.attributes, scimRole: input.scimRole, role: input.scimRole ?? "member",
      active: input.active, email, name: input.displayName, auditMetadata: { userName: input.userName },
    };
    const r = await batcher.create(deps, sc.ctx, sc.orgId, one, unread)
      .catch((err) => { throw membershipInsertError(err, email ?? ""); });
    if (r.outcome === "token-refused") {
      await sc.unconfirmed!.confirm(); // throws the token's 401/403; if it stands after all (a race), create again
      return createUser(deps, sc, input, batcher);
    }
    if (unread) delete sc.unconfirmed; // the statement saw the token stand
    if (r.outcome === "created") {
      sc.users?.note({ ...r.row, role: input.scimRole ?? "member", scimRole: input.scimRole });
      return r.row;
    }
    if (r.outcome === "taken") throw userNameTaken(input.userName);
    outcome = r.outcome;
  }
  await sc.unconfirmed?.confirm(); // an Owner: the paths below do not check the token themselves
  // A pending create needs no org lock, unless the account turns out to be a manual member here (adoption).
  const create = (orgLock: boolean) => deps.ds.transaction(async (tx) => {
    const org = orgLock ? await lockOrg(tx, sc.orgId) : await getOrg(tx, sc.orgId);
    const here = await membershipHere(tx, org.id, input.email);
    if (here && here.scimUserName === null) {
      if (!orgLock) return null;
      await assertUserNameFree(tx, org.id, input.userName, null);
      return adoptMember(deps, tx, sc, org, here, input);
    }
    return provisionScimUser(deps, tx, sc, org, input, here);
  });
  const lockFirst = input.scimRole === "owner" || outcome !== "pending";
  const m = await withRefusalAudit(deps, sc.ctx, sc.orgId, "", async () => (lockFirst ? null : await create(false)) ?? (await create(true))!);
  sc.users?.note(m);
  return m;
}

/**
 * A person who joined manually and is now pushed by the IdP: the membership becomes IdP-managed.
 * Their role is kept (raised if `roles` asks for more); later changes of `roles` or groups apply.
 */
async function adoptMember(deps: Deps, tx: EntityManager, sc: ScimCtx, org: Organization, m: Membership, input: UserInput): Promise<Membership> {
  await linkToIdp(tx, sc.ctx, org.id, m, input);
  if (!input.active) await applyStatus(deps, tx, sc.ctx, org, m, "suspended", "scim");
  if (input.scimRole && ROLE_RANK[input.scimRole] > ROLE_RANK[m.role]) await applyRoleChange(deps, tx, sc.ctx, org, m, input.scimRole, "scim");
  return m;
}

/** Full replace (PUT, and PATCH after the patch is applied): attributes, userName, active, roles. */
async function replaceInTx(deps: Deps, tx: EntityManager, sc: ScimCtx, org: Organization, m: Membership, input: UserInput): Promise<Membership> {
  if (input.userName.toLowerCase() !== (m.scimUserName ?? "").toLowerCase()) await assertUserNameFree(tx, org.id, input.userName, m.id);
  const roleInputChanged = input.scimRole !== m.scimRole;
  await writeIdpFields(tx, m, input);
  const status = input.active ? "active" : "suspended";
  if (status !== m.status) await applyStatus(deps, tx, sc.ctx, org, m, status, "scim");
  if (roleInputChanged) await syncRoles(deps, tx, sc.ctx, org, [m.id], false, "throw");
  return m;
}

export type CurrentUser = UserRow & Pick<Membership, "role" | "scimRole">;

/** What a replace reads first; scim/auth.ts reads it with the token for PUT and PATCH (one round trip). */
export const CURRENT_USER_COLUMNS = `${COLUMNS}, m.role, m.scim_role AS "scimRole"`;

/** An Owner, or a change of `roles` (which re-computes the role from groups), needs the org lock. */
const needsOrgLock = (m: Pick<Membership, "role" | "scimRole">, next: UserInput) => m.role === "owner" || next.scimRole !== m.scimRole;

/**
 * PUT and PATCH: one read (usually done with the token lookup: sc.current), then the common case (a non-Owner whose `roles` do not change) as the
 * set-based replaceIdpMembers, a compare-and-set that needs no lock. Otherwise, or when the row
 * changed between the read and the write, the single-row path decides again under locks: the
 * member's row lock, plus the org lock for Owners and role changes (org before row, as everywhere).
 *
 * A user this process knows (`sc.current.recalled`, recent.ts) is not read at all, with a token it
 * knows: the compare-and-set checks both. Anything but that write succeeding (its row changed,
 * the token refused, a path that reads or locks, an error computed from what may be stale)
 * confirms the token and starts again from a read.
 */
export async function replaceUser(deps: Deps, sc: ScimCtx, id: string, input: UserInput | ((current: Membership) => UserInput)): Promise<UserRow> {
  const resolve = (m: Membership) => (typeof input === "function" ? input(m) : input);
  if (!isUuid(id)) throw notFound("User", id);
  const recalled = sc.current?.id === id && sc.current.recalled === true;
  const again = async () => {
    await sc.unconfirmed?.confirm();
    sc.users?.forget(id);
    return replaceUser(deps, { ...sc, current: undefined, unconfirmed: undefined }, id, input);
  };
  const [m] = sc.current?.id === id ? (sc.current.row ? [sc.current.row] : []) : await deps.ds.query(prepared("scim_user_current", `SELECT ${CURRENT_USER_COLUMNS}
      FROM memberships m WHERE m.id = $1 AND m.org_id = $2 AND m.scim_user_name IS NOT NULL`), [id, sc.orgId]) as CurrentUser[];
  if (!m) throw notFound("User", id);
  let next: UserInput;
  try {
    next = resolve(m as Membership);
  } catch (err) {
    if (recalled) return again();
    throw err;
  }
  if (!needsOrgLock(m, next)) {
    // (A 409 here for an unconfirmed token is answered as the token's 401 first: users.routes `route`.)
    if (next.userName.toLowerCase() !== (m.scimUserName ?? "").toLowerCase()) await assertUserNameFree(deps.ds.manager, sc.orgId, next.userName, m.id);
    const unread = sc.unconfirmed?.token;
    const [row] = await replaceIdpMembers(deps.ds.manager, sc.ctx, sc.orgId, [{ current: m, next }], "scim", unread);
    if (row) {
      if (unread) delete sc.unconfirmed; // the statement saw the token stand
      sc.users?.note({ ...row, role: m.role, scimRole: m.scimRole });
      return row;
    }
  }
  if (recalled) return again();
  sc.users?.forget(id);
  return withRefusalAudit(deps, sc.ctx, sc.orgId, id, async () => {
    const light = needsOrgLock(m, next) ? null : await deps.ds.transaction(async (tx) => {
      const locked = await findScimMember(tx, sc.orgId, id, true);
      const again = resolve(locked);
      return needsOrgLock(locked, again) ? null : replaceInTx(deps, tx, sc, await getOrg(tx, sc.orgId), locked, again);
    });
    return light ?? deps.ds.transaction(async (tx) => {
      const org = await lockOrg(tx, sc.orgId);
      const locked = await findScimMember(tx, org.id, id);
      return replaceInTx(deps, tx, sc, org, locked, resolve(locked));
    });
  });
}

export async function deleteUser(deps: Deps, sc: ScimCtx, id: string): Promise<void> {
  sc.users?.forget(id);
  await withRefusalAudit(deps, sc.ctx, sc.orgId, id, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, sc.orgId);
    const m = await findScimMember(tx, org.id, id);
    await applyRemoval(deps, tx, sc.ctx, org, m, "scim");
  }));
}
