/**
 * Set-based membership changes for bulk callers (directory sync): the same effects as the
 * one-member functions in member.service.ts — audit event per member, email, conversations back
 * to the queue, grants revoked, the last-Owner rule — but one statement per kind of change
 * instead of one transaction per member. The caller holds the org lock (lockOrg) and its `tx`.
 *
 * Last-Owner rule, set-based: a batch that would leave no active Owner keeps every Owner it
 * touches; those members are returned as `refused` (the caller audits and reports them) and the
 * rest of the batch applies.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import type { Membership, Organization, Role, ScimUserAttributes } from "../../entities";
import type { Ctx, Deps } from "../context";
import { AUDIT_COLUMNS, auditParams } from "../audit/audit-log";
import { constraintOf, isUniqueViolation } from "../db/pg-errors";
import { returned } from "../db/returned";
import { prepared } from "../db/prepared";
import { removedEmail, roleChangedEmail, type RenderedEmail } from "../mail/templates";
import { mailKeys } from "../mail/outbox";
import { INERT_DOMAIN } from "./provision";

export type BulkVia = "scim" | "directory";

/** `email` is where the member is known (a pending member's address, not its placeholder's); `mailable` as in member.service.ts. */
interface Row { id: string; user_id: string; role: Role; status: string; source: string; email: string; name: string | null; pending: boolean; mailable: boolean }

const MEMBER_ROWS = `SELECT m.id, m.user_id, m.role, m.status, m.source, COALESCE(m.pending_email, u.email) AS email, u.name,
    m.pending_email IS NOT NULL AS pending, (m.pending_email IS NULL AND u.email NOT LIKE '%.invalid') AS mailable
  FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.id = ANY($2::uuid[])`;

async function rowsOf(tx: EntityManager, orgId: string, ids: string[]): Promise<Row[]> {
  return ids.length ? tx.query(MEMBER_ROWS, [orgId, ids]) : [];
}

/** One INSERT for many audit events of one action (target and metadata per member). */
async function auditMany(tx: EntityManager, ctx: Ctx, orgId: string, action: string, rows: Array<{ m: Row; metadata: Record<string, unknown> }>): Promise<void> {
  if (!rows.length) return;
  const [, , actor, , , ip, requestId] = auditParams(ctx, { orgId, action });
  const items = rows.map(({ m, metadata }) => ({ target: { type: "member", id: m.id, email: m.email, name: m.name }, metadata }));
  await tx.query(`INSERT INTO audit_events (${AUDIT_COLUMNS})
    SELECT $1, $2, $3::jsonb, t.target, t.metadata, $4, $5 FROM jsonb_to_recordset($6::jsonb) AS t(target jsonb, metadata jsonb)`,
  [orgId, action, actor, ip, requestId, JSON.stringify(items)]);
}

/** One INSERT into the outbox for many emails; the dispatcher delivers them after commit. */
async function enqueueMany(deps: Deps, tx: EntityManager, orgId: string, mails: Array<{ to: string; email: RenderedEmail; supersedeKey?: string }>): Promise<void> {
  await deps.outbox.enqueueMany(tx, orgId, mails);
}

/** Splits off the Owners whose loss would leave the org without an active Owner. */
async function guardOwners(tx: EntityManager, orgId: string, rows: Row[]): Promise<{ ok: Row[]; refused: Row[] }> {
  const losing = rows.filter((m) => m.role === "owner" && m.status === "active");
  if (!losing.length) return { ok: rows, refused: [] };
  const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND role = 'owner' AND status = 'active' AND NOT (id = ANY($2::uuid[]))`,
    [orgId, losing.map((m) => m.id)]);
  if (Number(n) > 0) return { ok: rows, refused: [] };
  const refusedIds = new Set(losing.map((m) => m.id));
  return { ok: rows.filter((m) => !refusedIds.has(m.id)), refused: losing };
}

async function requeue(tx: EntityManager, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows: Array<{ mid: string; n: number }> = await tx.query(`WITH q AS (
      SELECT id, assignee_membership_id AS mid FROM conversations WHERE assignee_membership_id = ANY($1::uuid[]) AND status = 'assigned' FOR UPDATE),
    u AS (UPDATE conversations c SET assignee_membership_id = NULL, status = 'queued', updated_at = now() FROM q WHERE c.id = q.id RETURNING q.mid)
    SELECT mid, count(*)::int AS n FROM u GROUP BY mid`, [ids]);
  return new Map(rows.map((r) => [r.mid, Number(r.n)]));
}

export interface NewBulkMember { userId: string; role: Role; status: "active" | "suspended"; attributes: ScimUserAttributes }

/** Inserts memberships (IdP-managed, source 'scim') and their member.added events; returns id per account. */
export async function addMembersBulk(tx: EntityManager, ctx: Ctx, org: Organization, rows: NewBulkMember[], via: BulkVia): Promise<Map<string, string>> {
  if (!rows.length) return new Map();
  const inserted: Array<{ id: string; user_id: string }> = await tx.query(`INSERT INTO memberships (org_id, user_id, role, source, status, scim_attributes)
    SELECT $1, t.user_id, t.role, 'scim', t.status, t.attrs FROM jsonb_to_recordset($2::jsonb) AS t(user_id uuid, role text, status text, attrs jsonb)
    RETURNING id, user_id`, [org.id, JSON.stringify(rows.map((r) => ({ user_id: r.userId, role: r.role, status: r.status, attrs: r.attributes })))]);
  const members = await rowsOf(tx, org.id, inserted.map((r) => r.id));
  await auditMany(tx, ctx, org.id, "member.added", members.map((m) => ({ m, metadata: { role: m.role, source: m.source, status: m.status, via } })));
  return new Map(inserted.map((r) => [r.user_id, r.id]));
}

/** Existing members the IdP now manages (like SCIM adopting a manual member); role and status are kept. */
export async function markIdpManagedBulk(tx: EntityManager, ctx: Ctx, org: Organization, ids: string[], via: BulkVia): Promise<void> {
  if (!ids.length) return;
  await tx.query(`UPDATE memberships SET source = 'scim', updated_at = now() WHERE org_id = $1 AND id = ANY($2::uuid[])`, [org.id, ids]);
  await auditMany(tx, ctx, org.id, "member.idp_linked", (await rowsOf(tx, org.id, ids)).map((m) => ({ m, metadata: { via } })));
}

/** The org's own view of a member's profile (name as the IdP spells it); the shared account is untouched. */
export async function updateMemberAttributesBulk(tx: EntityManager, orgId: string, rows: Array<{ id: string; attributes: ScimUserAttributes }>): Promise<void> {
  if (!rows.length) return;
  const json = JSON.stringify(rows.map((r) => ({ id: r.id, attrs: r.attributes })));
  await tx.query(`UPDATE memberships m SET scim_attributes = t.attrs, updated_at = now()
    FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, attrs jsonb) WHERE m.id = t.id AND m.org_id = $1`, [orgId, json]);
  // A pending member is shown by its placeholder account's name: the IdP's, so it follows a rename.
  await tx.query(`UPDATE users u SET name = left(NULLIF(t.attrs->>'displayName', ''), 200), updated_at = now()
    FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, attrs jsonb), memberships m
    WHERE m.id = t.id AND m.org_id = $1 AND m.pending_email IS NOT NULL AND u.id = m.user_id AND u.email LIKE '%@pending.roster.invalid'`, [orgId, json]);
}

/** Suspend or restore; suspending requeues conversations. Returns the members refused by the last-Owner rule. */
export async function setStatusBulk(tx: EntityManager, ctx: Ctx, org: Organization, ids: string[], status: "active" | "suspended", via: BulkVia): Promise<string[]> {
  const rows = (await rowsOf(tx, org.id, ids)).filter((m) => m.status !== status);
  const { ok, refused } = status === "suspended" ? await guardOwners(tx, org.id, rows) : { ok: rows, refused: [] };
  if (!ok.length) return refused.map((m) => m.id);
  const requeued = status === "suspended" ? await requeue(tx, ok.map((m) => m.id)) : new Map<string, number>();
  await tx.query(`UPDATE memberships SET status = $3, updated_at = now() WHERE org_id = $1 AND id = ANY($2::uuid[])`, [org.id, ok.map((m) => m.id), status]);
  await auditMany(tx, ctx, org.id, status === "suspended" ? "member.suspended" : "member.restored", ok.map((m) => ({
    m, metadata: { via, role: m.role, ...(status === "suspended" ? { conversationsRequeued: requeued.get(m.id) ?? 0 } : {}) } })));
  return refused.map((m) => m.id);
}

/** Role changes with their emails and events. Returns the members refused by the last-Owner rule. */
export async function changeRolesBulk(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, changes: Array<{ id: string; role: Role }>, via: BulkVia): Promise<string[]> {
  const target = new Map(changes.map((c) => [c.id, c.role]));
  const rows = (await rowsOf(tx, org.id, [...target.keys()])).filter((m) => m.role !== target.get(m.id));
  const { ok, refused } = await guardOwners(tx, org.id, rows.filter((m) => m.role === "owner"));
  const apply = [...rows.filter((m) => m.role !== "owner"), ...ok];
  if (!apply.length) return refused.map((m) => m.id);
  await tx.query(`UPDATE memberships m SET role = t.role, updated_at = now() FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, role text)
    WHERE m.id = t.id AND m.org_id = $1`, [org.id, JSON.stringify(apply.map((m) => ({ id: m.id, role: target.get(m.id) })))]);
  await auditMany(tx, ctx, org.id, "member.role_changed", apply.map((m) => ({ m, metadata: { oldRole: m.role, newRole: target.get(m.id), via } })));
  await enqueueMany(deps, tx, org.id, apply.filter((m) => m.mailable).map((m) => ({
    to: m.email, email: roleChangedEmail({ orgName: org.name, oldRole: m.role, newRole: target.get(m.id)!, appUrl: deps.config.baseUrl }),
    supersedeKey: mailKeys.role(m.id) })));
  return refused.map((m) => m.id);
}

/** Removal like the Remove button: requeue, revoke grants, delete, event, email. Returns refused members. */
export async function removeMembersBulk(deps: Deps, tx: EntityManager, ctx: Ctx, org: Organization, ids: string[], via: BulkVia): Promise<string[]> {
  const { ok, refused } = await guardOwners(tx, org.id, await rowsOf(tx, org.id, ids));
  if (!ok.length) return refused.map((m) => m.id);
  const okIds = ok.map((m) => m.id);
  const requeued = await requeue(tx, okIds);
  const grants: Array<{ mid: string; n: number }> = await tx.query(`WITH d AS (DELETE FROM chatbot_permissions WHERE membership_id = ANY($1::uuid[]) RETURNING membership_id)
    SELECT membership_id AS mid, count(*)::int AS n FROM d GROUP BY membership_id`, [okIds]);
  const revoked = new Map(grants.map((g) => [g.mid, Number(g.n)]));
  await tx.query(`DELETE FROM memberships WHERE org_id = $1 AND id = ANY($2::uuid[])`, [org.id, okIds]);
  await auditMany(tx, ctx, org.id, "member.removed", ok.map((m) => ({ m, metadata: {
    via, role: m.role, source: m.source, conversationsRequeued: requeued.get(m.id) ?? 0, grantsRevoked: revoked.get(m.id) ?? 0, self: false } })));
  await deps.outbox.cancelMany(tx, ok.flatMap((m) => mailKeys.aboutMember(m.id)), "member removed");
  await enqueueMany(deps, tx, org.id, ok.filter((m) => m.mailable).map((m) => ({ to: m.email, email: removedEmail({ orgName: org.name }) })));
  const placeholders = ok.filter((m) => m.pending).map((m) => m.user_id);
  if (placeholders.length) await tx.query(`DELETE FROM users WHERE id = ANY($1::uuid[]) AND email LIKE '%@pending.roster.invalid'`, [placeholders]);
  return refused.map((m) => m.id);
}

/** Audits members a batch left unchanged because of the last-Owner rule. */
export async function auditRefusals(tx: EntityManager, ctx: Ctx, orgId: string, ids: string[], reason = "member.last_owner"): Promise<void> {
  if (!ids.length) return;
  await tx.query(`INSERT INTO audit_events (${AUDIT_COLUMNS})
    SELECT $1, 'member.change_refused', $2::jsonb, jsonb_build_object('type', 'member', 'id', t.id), jsonb_build_object('reason', $3::text, 'via', 'directory'), $4, $5
      FROM unnest($6::uuid[]) AS t(id)`, [orgId, auditParams(ctx, { orgId, action: "" })[2], reason, ctx.ip ?? null, ctx.requestId ?? null, ids]);
}

/**
 * What an IdP sends for one new member, decided by the caller's mapping (SCIM, directory sync).
 * `email` is normalised; null or not an address makes an inert account (provision.ts).
 */
export interface IdpMemberInput {
  userName: string;
  externalId: string | null;
  attributes: ScimUserAttributes;
  scimRole: Role | null;
  role: Role;
  active: boolean;
  email: string | null;
  name: string | null;
  auditMetadata?: Record<string, unknown>;
  /** The request this input came with, when one statement carries several requests (scim/create-batch.ts); else the call's ctx. */
  request?: { ip: string | null; requestId: string | null };
}

/** The SCIM view of a membership, as returned by the set-based SCIM writes. */
export interface IdpMemberRow {
  id: string; scimUserName: string | null; externalId: string | null; status: "active" | "suspended";
  scimAttributes: ScimUserAttributes | null; createdAt: Date; updatedAt: Date;
}

/**
 * created: inserted (with its account when needed) and audited. taken: the userName is in use.
 * pending: the email is outside the org's verified domains (a join link must go out: provision.ts).
 * adopt: the account is a manual member here (the caller takes the org lock and links it).
 * retry: the account appeared or vanished meanwhile; nothing was written for this input.
 */
export type IdpCreateOutcome = { outcome: "created"; row: IdpMemberRow } | { outcome: "taken" | "pending" | "adopt" | "retry" | "token-refused" };

/**
 * A SCIM token the caller has not read in this request (scim/auth.ts): the statement writes only
 * if it still stands, unrevoked and its org on the Enterprise plan, seen in the same snapshot as
 * the writes; otherwise it writes nothing (a create's outcomes are then all "token-refused", a
 * replace returns no rows).
 */
export interface StillValidToken { id: string; hash: string }
/** `$id`/`$hash`: the statement's placeholders for the token; `$1` is the org everywhere here. */
const tokenStands = (token: StillValidToken | undefined, id: string, hash: string) => (token ? `EXISTS (SELECT 1 FROM scim_tokens t JOIN organizations o ON o.id = t.org_id
  WHERE t.id = ${id} AND t.token_hash = ${hash} AND t.org_id = $1 AND t.revoked_at IS NULL AND o.plan = 'enterprise')` : "true");
const tokenParams = (token: StillValidToken | undefined) => (token ? [token.id, token.hash] : []);

/**
 * SCIM's requests are one member each: that statement is prepared once per connection (its
 * planning cost more than its run). Other sizes (directory sync batches) stay unprepared, so a
 * connection never accumulates one statement per batch size.
 */
const oneRowPrepared = (n: number, name: string, sql: string) => (n === 1 ? prepared(`${name}_one`, sql) : sql);
/** A create's text differs only by its LIMIT: SCIM's batches (1 to MAX_CREATE_BATCH) are prepared per size. */
export const MAX_CREATE_BATCH = 10;
const sizePrepared = (n: number, name: string, sql: string) => (n <= MAX_CREATE_BATCH ? prepared(`${name}_${n}`, sql) : sql);

const IDP_ROW = `id, scim_user_name AS "scimUserName", external_id AS "externalId", status, scim_attributes AS "scimAttributes",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Creates IdP-managed members in one statement: for each input it reads what provisionMember
 * reads (userName taken? the account holding the email, its membership here, does this org own
 * the email's domain?) and, where that decides "link the account" or "a new account" (a
 * reserved .invalid address when there is no email or that account already is a SCIM user
 * here), inserts the account, the membership and its `member.added` event exactly as
 * addMember records it. Every other input is returned with the reason and nothing written for
 * it. Inputs must have distinct userNames and emails. Needs no org lock (no Owner is created:
 * Owners go through provisionMember and its guard); one statement, so it is atomic on its own.
 * It passes the Members sort keys (the membership's trigger cannot see an account inserted by the
 * same statement: 1764490000000-CheaperMemberSortKeys). The LIMIT on the input set is its size: PostgreSQL otherwise guesses 100 rows for
 * jsonb_to_recordset and plans hash joins over whole tables instead of index lookups. `d` is
 * MATERIALIZED: inlined into `go`, each of its EXISTS sub-plans ran twice per input (once for the
 * CASE, once for the column), ~4% of the statement's PostgreSQL CPU.
 */
export async function createIdpMembers(db: EntityManager, ctx: Ctx, orgId: string, inputs: IdpMemberInput[], via: "scim" | "directory",
  token?: StillValidToken): Promise<IdpCreateOutcome[]> {
  if (!inputs.length) return [];
  if (inputs.some((i) => i.role === "owner")) throw new Error("createIdpMembers does not create Owners (provisionMember guards them)");
  const [, , actor, , , ip, requestId] = auditParams(ctx, { orgId, action: "member.added" });
  const items = inputs.map((i, n) => ({
    n, user_name: i.userName, external_id: i.externalId, attrs: i.attributes, scim_role: i.scimRole, role: i.role,
    status: i.active ? "active" : "suspended", email: i.email, name: i.name, inert: `${randomUUID()}@${INERT_DOMAIN}`,
    metadata: { role: i.role, source: "scim", status: i.active ? "active" : "suspended", ...i.auditMetadata, via },
    ip: i.request ? i.request.ip : ip, request_id: i.request ? i.request.requestId : requestId,
  }));
  let rows: Array<IdpMemberRow & { n: number; taken: boolean; account: string | null; authority: boolean; member_id: string | null; member_user_name: string | null }>;
  try {
    rows = await db.query(sizePrepared(inputs.length, token ? "idp_create_token" : "idp_create", `WITH i AS (
        SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(n int, user_name text, external_id text, attrs jsonb, scim_role text, role text,
                                                          status text, email text, name text, inert text, metadata jsonb, ip text, request_id text)
         WHERE ${tokenStands(token, "$4", "$5")} LIMIT ${inputs.length}),
      d AS MATERIALIZED (
        SELECT i.*, EXISTS (SELECT 1 FROM memberships x WHERE x.org_id = $1 AND x.scim_user_name IS NOT NULL AND lower(x.scim_user_name) = lower(i.user_name)) AS taken,
               u.id AS user_id, m.id AS member_id, m.scim_user_name AS member_user_name,
               (i.email IS NULL OR EXISTS (SELECT 1 FROM org_domains od WHERE od.org_id = $1 AND od.verified_at IS NOT NULL
                                             AND od.domain = substring(i.email from '@([^@]+)$'))) AS authority
          FROM i LEFT JOIN users u ON lower(u.email) = i.email LEFT JOIN memberships m ON m.org_id = $1 AND m.user_id = u.id),
      go AS (
        SELECT d.*, CASE WHEN d.taken OR NOT d.authority OR (d.member_id IS NOT NULL AND d.member_user_name IS NULL) THEN NULL
                         WHEN d.user_id IS NOT NULL AND d.member_id IS NULL THEN 'link' ELSE 'new' END AS account,
               CASE WHEN d.user_id IS NULL AND d.email IS NOT NULL THEN d.email ELSE d.inert END AS new_email FROM d),
      nu AS (INSERT INTO users (email, name) SELECT go.new_email, go.name FROM go WHERE go.account = 'new' RETURNING id, email, name),
      u AS (SELECT go.n, nu.id, nu.email, nu.name FROM nu JOIN go ON go.account = 'new' AND go.new_email = nu.email
            UNION ALL SELECT go.n, x.id, x.email, x.name FROM users x JOIN go ON go.account = 'link' AND x.id = go.user_id),
      m AS (INSERT INTO memberships (org_id, user_id, role, source, status, scim_user_name, external_id, scim_attributes, scim_role, sort_name, sort_email)
            SELECT $1, u.id, go.role, 'scim', go.status, go.user_name, go.external_id, go.attrs, go.scim_role,
                   roster_sort_name(u.name, NULL, u.email), roster_sort_email(NULL, u.email) FROM u JOIN go USING (n)
            RETURNING ${IDP_ROW}, user_id),
      a AS (INSERT INTO audit_events (${AUDIT_COLUMNS})
            SELECT $1, 'member.added', $3::jsonb, jsonb_build_object('type', 'member', 'id', m.id, 'email', u.email, 'name', u.name), go.metadata, go.ip, go.request_id
              FROM m JOIN u ON u.id = m.user_id JOIN go USING (n))
      SELECT go.n, go.taken, go.account, go.authority, go.member_id, go.member_user_name,
             m.id, m."scimUserName", m."externalId", m.status, m."scimAttributes", m."createdAt", m."updatedAt"
        FROM go LEFT JOIN u USING (n) LEFT JOIN m ON m.user_id = u.id ORDER BY go.n`),
    [orgId, JSON.stringify(items), actor, ...tokenParams(token)]);
  } catch (err) {
    // Another request created one of these accounts meanwhile: the single-row path links it there.
    if (isUniqueViolation(err) && constraintOf(err) === "users_email_lower_key") return inputs.map(() => ({ outcome: "retry" }));
    throw err;
  }
  if (token && !rows.length) return inputs.map(() => ({ outcome: "token-refused" }));
  return rows.map((r): IdpCreateOutcome => {
    if (r.taken) return { outcome: "taken" };
    if (!r.authority) return { outcome: "pending" };
    if (r.member_id && r.member_user_name === null) return { outcome: "adopt" };
    if (!r.account || !r.id) return { outcome: "retry" };
    return { outcome: "created", row: { id: r.id, scimUserName: r.scimUserName, externalId: r.externalId, status: r.status,
      scimAttributes: r.scimAttributes, createdAt: r.createdAt, updatedAt: r.updatedAt } };
  });
}

/** What a replace expects to find (as read) and what it writes. */
export interface IdpReplace {
  current: { id: string; role: Role; status: "active" | "suspended"; scimRole: Role | null; scimUserName: string | null; externalId: string | null; scimAttributes: ScimUserAttributes | null };
  next: { userName: string; externalId: string | null; attributes: ScimUserAttributes; active: boolean };
}

/**
 * Full replaces of non-Owners whose role input does not change, in one statement: writes the
 * SCIM fields and the status and, where the status changes, puts the member's conversations back
 * in the queue (suspend) and records member.suspended / member.restored as applyStatus does.
 * Compare-and-set instead of row locks: a row applies only if every field the caller decided on
 * is still what it read, so a concurrent change (a promotion to Owner) is never overwritten.
 * Returns the rows that applied; the others changed meanwhile (the caller decides again under
 * locks). Owners are refused here: their changes need the org lock and the last-Owner rule.
 */
export async function replaceIdpMembers(db: EntityManager, ctx: Ctx, orgId: string, changes: IdpReplace[], via: "scim" | "directory",
  token?: StillValidToken): Promise<IdpMemberRow[]> {
  if (!changes.length) return [];
  if (changes.some((c) => c.current.role === "owner")) throw new Error("replaceIdpMembers does not change Owners (applyStatus guards them)");
  const [, , actor, , , ip, requestId] = auditParams(ctx, { orgId, action: "" });
  const items = changes.map(({ current: c, next: x }) => ({
    id: c.id, user_name: x.userName, external_id: x.externalId, attrs: x.attributes, status: x.active ? "active" : "suspended",
    old_role: c.role, old_status: c.status, old_scim_role: c.scimRole, old_user_name: c.scimUserName, old_external_id: c.externalId, old_attrs: c.scimAttributes,
  }));
  return db.query(oneRowPrepared(changes.length, token ? "idp_replace_token" : "idp_replace", `WITH i AS (
      SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, user_name text, external_id text, attrs jsonb, status text, old_role text,
                                                        old_status text, old_scim_role text, old_user_name text, old_external_id text, old_attrs jsonb)
       WHERE ${tokenStands(token, "$7", "$8")} LIMIT ${changes.length}),
    upd AS (UPDATE memberships m SET scim_user_name = i.user_name, external_id = i.external_id, scim_attributes = i.attrs, status = i.status, updated_at = now()
              FROM i WHERE m.id = i.id AND m.org_id = $1 AND m.role = i.old_role AND m.status = i.old_status AND m.scim_role IS NOT DISTINCT FROM i.old_scim_role
               AND m.scim_user_name = i.old_user_name AND m.external_id IS NOT DISTINCT FROM i.old_external_id AND m.scim_attributes IS NOT DISTINCT FROM i.old_attrs
            RETURNING m.${IDP_ROW.split(", ").join(", m.")}, m.user_id, m.role, m.pending_email, i.old_status),
    rq AS (UPDATE conversations c SET assignee_membership_id = NULL, status = 'queued', updated_at = now()
             FROM upd WHERE c.assignee_membership_id = upd.id AND upd.status = 'suspended' AND upd.old_status <> 'suspended' AND c.status = 'assigned'
           RETURNING upd.id AS mid),
    a AS (INSERT INTO audit_events (${AUDIT_COLUMNS})
          SELECT $1, CASE WHEN upd.status = 'suspended' THEN 'member.suspended' ELSE 'member.restored' END, $3::jsonb,
                 jsonb_build_object('type', 'member', 'id', upd.id, 'email', COALESCE(upd.pending_email, u.email), 'name', u.name),
                 jsonb_build_object('via', $6::text, 'role', upd.role)
                   || CASE WHEN upd.status = 'suspended' THEN jsonb_build_object('conversationsRequeued', (SELECT count(*) FROM rq WHERE rq.mid = upd.id)) ELSE '{}'::jsonb END,
                 $4, $5
            FROM upd JOIN users u ON u.id = upd.user_id WHERE upd.status <> upd.old_status)
    SELECT id, "scimUserName", "externalId", status, "scimAttributes", "createdAt", "updatedAt" FROM upd`),
  [orgId, JSON.stringify(items), actor, ip, requestId, via, ...tokenParams(token)]);
}

/** Writes a member's SCIM fields (no status, role or effects: the caller applies those through member.service). */
export async function writeIdpFields(tx: EntityManager, m: Membership, next: { userName: string; externalId: string | null; attributes: ScimUserAttributes; scimRole: Role | null }): Promise<void> {
  const [row] = returned<{ updated_at: Date }>(await tx.query(
    `UPDATE memberships SET scim_user_name = $2, external_id = $3, scim_attributes = $4, scim_role = $5, updated_at = now()
      WHERE id = $1 RETURNING updated_at`,
    [m.id, next.userName, next.externalId, JSON.stringify(next.attributes), next.scimRole]));
  Object.assign(m, { scimUserName: next.userName, externalId: next.externalId, scimAttributes: next.attributes, scimRole: next.scimRole, updatedAt: row.updated_at });
}

/** A manual member the IdP now pushes (SCIM adoption): IdP-managed from now on, audited as member.scim_linked. */
export async function linkToIdp(tx: EntityManager, ctx: Ctx, orgId: string, m: Membership, next: Parameters<typeof writeIdpFields>[2]): Promise<void> {
  await writeIdpFields(tx, m, next);
  await tx.query(`UPDATE memberships SET source = 'scim' WHERE id = $1`, [m.id]);
  m.source = "scim";
  await tx.query(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7)`,
    auditParams(ctx, { orgId, action: "member.scim_linked", target: { type: "member", id: m.id }, metadata: { userName: next.userName } }));
}
