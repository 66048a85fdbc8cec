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
import type { EntityManager } from "typeorm";
import type { Organization, Role, ScimUserAttributes } from "../../entities";
import type { Ctx, Deps } from "../context";
import { AUDIT_COLUMNS, auditParams } from "../audit/audit-log";
import { removedEmail, roleChangedEmail, type RenderedEmail } from "../mail/templates";
import { mailKeys } from "../mail/outbox";

export type BulkVia = "directory";

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
