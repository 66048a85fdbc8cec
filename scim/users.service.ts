/**
 * SCIM Users of one org (the token's), as memberships. Every write is one transaction that first
 * locks the org row (lockOrg), then creates, re-roles, suspends or removes through the member
 * service, so effects match the manual flow. Reads are single SQL queries scoped by org.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import { Membership, type Organization, type User } from "../entities";
import type { Deps } from "../src/context";
import { applyRemoval, applyRoleChange, applyStatus, lockOrg, membershipInsertError, withRefusalAudit } from "../src/members/member.service";
import { findUserByEmail, normalizeEmail } from "../src/accounts/users";
import { provisionMember } from "../src/members/provision";
import { AUDIT_COLUMNS, auditParams, recordAudit } from "../src/audit/audit-log";
import { constraintOf, isUniqueViolation } from "../src/db/pg-errors";
import { getOrg } from "../src/orgs/org.service";
import { isUuid } from "../src/http/validate";
import { ROLE_RANK } from "../src/auth/permissions";
import type { ScimCtx } from "./auth";
import { ScimError, notFound } from "./errors";
import { USER_ATTRS, Params, filterSql } from "./filter";
import type { Paging } from "./list";
import type { UserInput } from "./user-mapping";
import { syncRoles } from "./roles";
import { returned } from "./sql";

export type UserRow = Pick<Membership, "id" | "scimUserName" | "externalId" | "status" | "scimAttributes" | "createdAt" | "updatedAt">;

const COLUMNS = `m.id, m.scim_user_name AS "scimUserName", m.external_id AS "externalId", m.status,
  m.scim_attributes AS "scimAttributes", m.created_at AS "createdAt", m.updated_at AS "updatedAt"`;

export const USER_SORT: Record<string, string> = {
  id: "m.id", username: "lower(m.scim_user_name)", externalid: "m.external_id", displayname: "lower(m.scim_attributes->>'displayName')",
  "name.familyname": "lower(m.scim_attributes->'name'->>'familyName')", "name.givenname": "lower(m.scim_attributes->'name'->>'givenName')",
  "meta.created": "m.created_at", "meta.lastmodified": "m.updated_at",
};
/** Creation order, as positions (memberships.scim_pos, kept dense per org by triggers). */
export const USER_ORDER_DEFAULT = "m.scim_pos";

/**
 * One page and the total. Unfiltered: the total is the org's maintained count and a page in the
 * default order seeks to its position on memberships_org_scim_pos_idx, skipping only the
 * positions freed since the last renumbering (scim_position_gaps below startIndex), so its cost
 * does not depend on startIndex or the size of the org; both in one statement (one snapshot).
 * Filtered: LIMIT/OFFSET over the filter's index, and a count(*) only when the page is full.
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

async function listAllUsers(deps: Deps, orgId: string, page: Paging, order: string): Promise<{ rows: UserRow[]; total: number }> {
  const slice = order === USER_ORDER_DEFAULT
    ? `SELECT ${COLUMNS} FROM memberships m WHERE m.org_id = $1 AND m.scim_pos IS NOT NULL AND m.scim_pos >= $2 ORDER BY m.scim_pos LIMIT $3
        OFFSET CASE WHEN c.scim_gaps = 0 THEN 0 ELSE (SELECT count(*) FROM scim_position_gaps g WHERE g.org_id = $1 AND g.pos < $2) END`
    : `SELECT ${COLUMNS} FROM memberships m WHERE m.org_id = $1 AND m.scim_pos IS NOT NULL AND $2::bigint > 0 ORDER BY ${order} LIMIT $3 OFFSET $2::bigint - 1`;
  const found: Array<UserRow & { total: number }> = await deps.ds.query(
    `SELECT c.scim_users AS total, p.* FROM org_member_counts c LEFT JOIN LATERAL (${slice}) p ON true WHERE c.org_id = $1`,
    [orgId, page.startIndex, page.count]);
  const total = Number(found[0]?.total ?? 0);
  return { rows: found.filter((r) => r.id !== null).map(({ total: _t, ...row }) => row), total };
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
  return findScimMember(deps.ds.manager, sc.orgId, id);
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
 * The org row lock serialises whatever can change the number of active Owners or re-compute
 * roles from groups (MEM-02). A change that cannot (a non-Owner member, `roles` unchanged) locks
 * only its membership row, so an IdP's bulk creates and deactivations do not queue behind one
 * another; userName uniqueness is then held by the unique index (23505 → 409 uniqueness). When a
 * light attempt finds it needs the org lock, it rolls back and runs again under it.
 */
class NeedsOrgLock extends Error {}

async function lightThenLocked<T>(deps: Deps, light: (tx: EntityManager) => Promise<T>, locked: (tx: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await deps.ds.transaction(light);
  } catch (err) {
    if (!(err instanceof NeedsOrgLock)) throw err;
  }
  return deps.ds.transaction(locked);
}

const RETURNING = `id, scim_user_name AS "scimUserName", external_id AS "externalId", status, scim_attributes AS "scimAttributes",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

interface CreateProbe { taken: boolean; user_id: string | null; user_email: string | null; member_id: string | null; member_user_name: string | null }

/**
 * The common create as one statement inside its transaction. Its first part reads what the
 * general path reads (userName taken? the account holding the email, its membership here, does
 * this org own the email's domain?) and decides the same way: link that account, or insert a new
 * one (a reserved .invalid address when there is no email or that account already is a SCIM
 * user here); the rest inserts the account if needed, the membership and its `member.added`
 * audit event. Whatever needs the org lock, a savepoint or a join link goes to the general path
 * (UseGeneralPath, nothing written): an email outside the org's verified domains (pending
 * membership), adopting a manual member, a concurrent insert of the same account (unique
 * violation on the email), rows that vanished meanwhile.
 */
class UseGeneralPath extends Error {}

interface CreateResult extends Partial<UserRow> { taken: boolean; account: "link" | "new" | null }

async function createFast(tx: EntityManager, sc: ScimCtx, input: UserInput): Promise<UserRow> {
  const email = input.email ? normalizeEmail(input.email) : null;
  const role = input.scimRole ?? "member";
  const status = input.active ? "active" : "suspended";
  const [, , actor, , metadata, ip, requestId] = auditParams(sc.ctx, {
    orgId: sc.orgId, action: "member.added", metadata: { role, source: "scim", status, userName: input.userName } });
  const params = [sc.orgId, role, status, input.userName, input.externalId, JSON.stringify(input.attributes), input.scimRole,
    actor, metadata, ip, requestId, email, `${randomUUID()}@scim.roster.invalid`, input.displayName];
  let row: CreateResult;
  try {
    [row] = returned<CreateResult>(await tx.query(
      `WITH d AS (
              SELECT EXISTS (SELECT 1 FROM memberships WHERE org_id = $1 AND scim_user_name IS NOT NULL AND lower(scim_user_name) = lower($4)) AS taken,
                     u.id AS user_id, m.id AS member_id, m.scim_user_name AS member_user_name,
                     ($12::text IS NULL OR EXISTS (SELECT 1 FROM org_domains od WHERE od.org_id = $1 AND od.verified_at IS NOT NULL
                                                     AND od.domain = substring($12::text from '@([^@]+)$'))) AS authority
                FROM (SELECT 1) AS one
                LEFT JOIN users u ON lower(u.email) = $12::text
                LEFT JOIN memberships m ON m.org_id = $1 AND m.user_id = u.id),
            go AS (SELECT d.*, CASE WHEN d.taken OR NOT d.authority OR (d.member_id IS NOT NULL AND d.member_user_name IS NULL) THEN NULL
                                    WHEN d.user_id IS NOT NULL AND d.member_id IS NULL THEN 'link' ELSE 'new' END AS account FROM d),
            nu AS (INSERT INTO users (email, name)
                   SELECT CASE WHEN go.user_id IS NULL AND $12::text IS NOT NULL THEN $12::text ELSE $13::text END, $14::text FROM go WHERE go.account = 'new'
                   RETURNING id, email, name),
            u AS (SELECT id, email, name FROM nu
                  UNION ALL SELECT x.id, x.email, x.name FROM users x JOIN go ON go.account = 'link' AND x.id = go.user_id),
            m AS (INSERT INTO memberships (org_id, user_id, role, source, status, scim_user_name, external_id, scim_attributes, scim_role)
                  SELECT o.id, u.id, $2, 'scim', $3, $4, $5, $6::jsonb, $7 FROM u JOIN organizations o ON o.id = $1
                  RETURNING ${RETURNING}),
            a AS (INSERT INTO audit_events (${AUDIT_COLUMNS})
                  SELECT $1, 'member.added', $8::jsonb, jsonb_build_object('type', 'member', 'id', m.id, 'email', u.email, 'name', u.name),
                         $9::jsonb, $10, $11 FROM m, u)
       SELECT go.taken, go.account, m.id, m."scimUserName", m."externalId", m.status, m."scimAttributes", m."createdAt", m."updatedAt"
         FROM go LEFT JOIN m ON true`, params));
  } catch (err) {
    if (isUniqueViolation(err) && constraintOf(err) === "users_email_lower_key") throw new UseGeneralPath(); // raced: link it there
    throw membershipInsertError(err, email ?? "");
  }
  if (row.taken) throw userNameTaken(input.userName);
  if (!row.account || !row.id) throw new UseGeneralPath(); // adopt a manual member (org lock), or rows vanished meanwhile
  const { taken: _t, account: _a, ...user } = row;
  return user as UserRow;
}

export async function createUser(deps: Deps, sc: ScimCtx, input: UserInput): Promise<UserRow> {
  if (input.scimRole !== "owner") {
    try {
      return await deps.ds.transaction((tx) => createFast(tx, sc, input));
    } catch (err) {
      if (!(err instanceof UseGeneralPath)) throw err;
    }
  }
  return withRefusalAudit(deps, sc.ctx, sc.orgId, "", () => lightThenLocked(deps, async (tx) => {
    if (input.scimRole === "owner") throw new NeedsOrgLock();
    const org = await getOrg(tx, sc.orgId);
    const here = await membershipHere(tx, org.id, input.email);
    if (here && here.scimUserName === null) throw new NeedsOrgLock();
    return provisionScimUser(deps, tx, sc, org, input, here);
  }, async (tx) => {
    const org = await lockOrg(tx, sc.orgId);
    const here = await membershipHere(tx, org.id, input.email);
    if (here && here.scimUserName === null) {
      await assertUserNameFree(tx, org.id, input.userName, null);
      return adoptMember(deps, tx, sc, org, here, input);
    }
    return provisionScimUser(deps, tx, sc, org, input, here);
  }));
}

/**
 * A person who joined manually and is now pushed by the IdP: the membership becomes IdP-managed.
 * Their role is kept (raised if `roles` asks for more); later changes of `roles` or groups apply.
 */
async function adoptMember(deps: Deps, tx: EntityManager, sc: ScimCtx, org: Organization, m: Membership, input: UserInput): Promise<Membership> {
  await writeScimFields(tx, m, input);
  await tx.query(`UPDATE memberships SET source = 'scim' WHERE id = $1`, [m.id]);
  m.source = "scim";
  await recordAudit(tx, sc.ctx, { orgId: org.id, action: "member.scim_linked", target: { type: "member", id: m.id }, metadata: { userName: input.userName } });
  if (!input.active) await applyStatus(deps, tx, sc.ctx, org, m, "suspended", "scim");
  if (input.scimRole && ROLE_RANK[input.scimRole] > ROLE_RANK[m.role]) await applyRoleChange(deps, tx, sc.ctx, org, m, input.scimRole, "scim");
  return m;
}

async function writeScimFields(tx: EntityManager, m: Membership, input: UserInput): Promise<void> {
  const [row] = returned<{ updated_at: Date }>(await tx.query(
    `UPDATE memberships SET scim_user_name = $2, external_id = $3, scim_attributes = $4, scim_role = $5, updated_at = now()
      WHERE id = $1 RETURNING updated_at`,
    [m.id, input.userName, input.externalId, JSON.stringify(input.attributes), input.scimRole]));
  Object.assign(m, { scimUserName: input.userName, externalId: input.externalId, scimAttributes: input.attributes, scimRole: input.scimRole, updatedAt: row.updated_at });
}

/** Full replace (PUT, and PATCH after the patch is applied): attributes, userName, active, roles. */
async function replaceInTx(deps: Deps, tx: EntityManager, sc: ScimCtx, org: Organization, m: Membership, input: UserInput): Promise<Membership> {
  if (input.userName.toLowerCase() !== (m.scimUserName ?? "").toLowerCase()) await assertUserNameFree(tx, org.id, input.userName, m.id);
  const roleInputChanged = input.scimRole !== m.scimRole;
  await writeScimFields(tx, m, input);
  const status = input.active ? "active" : "suspended";
  if (status !== m.status) await applyStatus(deps, tx, sc.ctx, org, m, status, "scim");
  if (roleInputChanged) await syncRoles(deps, tx, sc.ctx, org, [m.id], false, "throw");
  return m;
}

type CurrentUser = UserRow & Pick<Membership, "role" | "scimRole">;

/**
 * The common replace (PUT, and PATCH such as `active`) of a non-Owner whose `roles` do not
 * change: one read, then one statement that writes the SCIM fields and the status and, when the
 * status changes, puts their conversations back in the queue (suspend) and records the
 * member.suspended / member.restored event, as applyStatus does; a single statement, so all of
 * it commits or none. Instead of holding a row lock between the two, the write is a
 * compare-and-set: it applies only if every field the decision read (role, status, scim_role,
 * userName, externalId, attributes) is still what was read, so a concurrent change (e.g. a
 * promotion to Owner) is never overwritten or bypassed. Returns null when the general path must
 * decide: Owner, `roles` changed, or the row changed meanwhile (it then re-reads under locks).
 */
async function replaceFast(deps: Deps, sc: ScimCtx, id: string, resolve: (m: Membership) => UserInput): Promise<UserRow | null> {
  const [m] = await deps.ds.query(
    `SELECT ${COLUMNS}, m.role, m.scim_role AS "scimRole" FROM memberships m
      WHERE m.id = $1 AND m.org_id = $2 AND m.scim_user_name IS NOT NULL`, [id, sc.orgId]) as CurrentUser[];
  if (!m) throw notFound("User", id);
  const next = resolve(m as Membership);
  if (m.role === "owner" || next.scimRole !== m.scimRole) return null;
  if (next.userName.toLowerCase() !== (m.scimUserName ?? "").toLowerCase()) await assertUserNameFree(deps.ds.manager, sc.orgId, next.userName, m.id);
  const status = next.active ? "active" : "suspended";
  const params: unknown[] = [m.id, sc.orgId, next.userName, next.externalId, JSON.stringify(next.attributes), status,
    m.role, m.status, m.scimRole, m.scimUserName, m.externalId, m.scimAttributes === null ? null : JSON.stringify(m.scimAttributes)];
  const ctes = [`upd AS (UPDATE memberships SET scim_user_name = $3, external_id = $4, scim_attributes = $5::jsonb, status = $6, updated_at = now()
      WHERE id = $1 AND org_id = $2 AND role = $7 AND status = $8 AND scim_role IS NOT DISTINCT FROM $9 AND scim_user_name = $10
        AND external_id IS NOT DISTINCT FROM $11 AND scim_attributes IS NOT DISTINCT FROM $12::jsonb
      RETURNING ${RETURNING}, user_id)`];
  if (status !== m.status) {
    const suspend = status === "suspended";
    const [, action, actor, , metadata, ip, requestId] = auditParams(sc.ctx, {
      orgId: sc.orgId, action: suspend ? "member.suspended" : "member.restored", metadata: { via: "scim", role: m.role } });
    params.push(action, actor, metadata, ip, requestId);
    if (suspend) {
      ctes.push(`rq AS (UPDATE conversations SET assignee_membership_id = NULL, status = 'queued', updated_at = now()
        WHERE assignee_membership_id IN (SELECT id FROM upd) AND status = 'assigned' RETURNING 1)`);
    }
    ctes.push(`a AS (INSERT INTO audit_events (${AUDIT_COLUMNS})
        SELECT $2, $13, $14::jsonb, jsonb_build_object('type', 'member', 'id', upd.id, 'email', u.email, 'name', u.name),
               $15::jsonb${suspend ? ` || jsonb_build_object('conversationsRequeued', (SELECT count(*) FROM rq))` : ""}, $16, $17
          FROM upd JOIN users u ON u.id = upd.user_id)`);
  }
  const rows = returned<UserRow>(await deps.ds.query(
    `WITH ${ctes.join(",\n")} SELECT id, "scimUserName", "externalId", status, "scimAttributes", "createdAt", "updatedAt" FROM upd`, params));
  return rows[0] ?? null;
}

export async function replaceUser(deps: Deps, sc: ScimCtx, id: string, input: UserInput | ((current: Membership) => UserInput)): Promise<UserRow> {
  const resolve = (m: Membership) => (typeof input === "function" ? input(m) : input);
  if (!isUuid(id)) throw notFound("User", id);
  const fast = await replaceFast(deps, sc, id, resolve);
  if (fast) return fast;
  return withRefusalAudit(deps, sc.ctx, sc.orgId, id, () => lightThenLocked(deps, async (tx) => {
    const m = await findScimMember(tx, sc.orgId, id, true);
    const next = resolve(m);
    if (m.role === "owner" || next.scimRole !== m.scimRole) throw new NeedsOrgLock();
    return replaceInTx(deps, tx, sc, await getOrg(tx, sc.orgId), m, next);
  }, async (tx) => {
    const org = await lockOrg(tx, sc.orgId);
    const m = await findScimMember(tx, org.id, id);
    return replaceInTx(deps, tx, sc, org, m, resolve(m));
  }));
}

export async function deleteUser(deps: Deps, sc: ScimCtx, id: string): Promise<void> {
  await withRefusalAudit(deps, sc.ctx, sc.orgId, id, () => deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, sc.orgId);
    const m = await findScimMember(tx, org.id, id);
    await applyRemoval(deps, tx, sc.ctx, org, m, "scim");
  }));
}
