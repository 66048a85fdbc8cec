/**
 * SCIM Groups of one org. Membership is one row per (group, member) and every change is a set
 * operation in SQL on the listed rows only: a 10,000-member group is never loaded to add or
 * remove one member. Members are read only when the response includes them.
 * Group names map to roles (group_role_mappings): a change of membership or name in a mapped
 * group re-computes the affected members' roles in the same transaction (roles.ts).
 */
import type { EntityManager } from "typeorm";
import type { Organization } from "../entities";
import type { Deps } from "../src/context";
import { lockOrg, auditChangeRefused } from "../src/members/member.service";
import { recordAudit } from "../src/audit/audit-log";
import { isUuid } from "../src/http/validate";
import type { ScimCtx } from "./auth";
import { ScimError, badValue, notFound } from "./errors";
import { GROUP_ATTRS, Params, filterSql } from "./filter";
import type { Paging } from "./list";
import { mappingFor, syncRoles, MemberLastOwnerError, type Mapping } from "./roles";
import { CORE_GROUP } from "./scimmy";
import { returned } from "./sql";

export interface GroupRow { id: string; displayName: string; externalId: string | null; createdAt: Date; updatedAt: Date }
export interface MemberRef { value: string; display: string | null }

const COLUMNS = `g.id, g.display_name AS "displayName", g.external_id AS "externalId", g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;
export const GROUP_SORT: Record<string, string> = {
  id: "g.id", displayname: "lower(g.display_name)", externalid: "g.external_id", "meta.created": "g.created_at", "meta.lastmodified": "g.updated_at",
};
export const GROUP_ORDER_DEFAULT = "g.created_at, g.id";

export function toScimGroup(g: GroupRow, members: MemberRef[] | undefined, base: string): Record<string, unknown> {
  return {
    schemas: [CORE_GROUP], id: g.id, ...(g.externalId ? { externalId: g.externalId } : {}), displayName: g.displayName,
    ...(members ? { members: members.map((m) => ({ value: m.value, ...(m.display ? { display: m.display } : {}), $ref: `${base}/Users/${m.value}`, type: "User" })) } : {}),
    meta: { resourceType: "Group", created: new Date(g.createdAt).toISOString(), lastModified: new Date(g.updatedAt).toISOString(), location: `${base}/Groups/${g.id}` },
  };
}

export async function membersOf(db: EntityManager, groupIds: string[]): Promise<Map<string, MemberRef[]>> {
  const out = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows: Array<{ group_id: string; value: string; display: string | null }> = await db.query(
    `SELECT gm.group_id, m.id AS value, coalesce(m.scim_attributes->>'displayName', m.scim_user_name) AS display
       FROM scim_group_members gm JOIN memberships m ON m.id = gm.membership_id
      WHERE gm.group_id = ANY($1::uuid[]) ORDER BY gm.created_at, gm.membership_id`, [groupIds]);
  for (const r of rows) out.get(r.group_id)!.push({ value: r.value, display: r.display });
  return out;
}

export async function listGroups(deps: Deps, sc: ScimCtx, filter: Array<Record<string, unknown>> | undefined, page: Paging, order: string): Promise<{ rows: GroupRow[]; total: number }> {
  const p = new Params([sc.orgId]);
  const where = `g.org_id = $1 AND (${filter ? filterSql(filter, GROUP_ATTRS, p, CORE_GROUP) : "true"})`;
  const rows: GroupRow[] = page.count === 0 ? [] : await deps.ds.query(
    `SELECT ${COLUMNS} FROM scim_groups g WHERE ${where} ORDER BY ${order} LIMIT ${page.count} OFFSET ${page.startIndex - 1}`, p.values);
  const exact = rows.length > 0 && rows.length < page.count || (rows.length === 0 && page.startIndex === 1 && page.count > 0);
  const total = exact ? page.startIndex - 1 + rows.length
    : Number((await deps.ds.query(`SELECT count(*)::int AS n FROM scim_groups g WHERE ${where}`, p.values))[0].n);
  return { rows, total };
}

async function findGroup(db: EntityManager, orgId: string, id: string): Promise<GroupRow> {
  if (!isUuid(id)) throw notFound("Group", id);
  const rows: GroupRow[] = await db.query(`SELECT ${COLUMNS} FROM scim_groups g WHERE g.id = $1 AND g.org_id = $2`, [id, orgId]);
  if (!rows[0]) throw notFound("Group", id);
  return rows[0];
}

export const getGroup = (deps: Deps, sc: ScimCtx, id: string) => findGroup(deps.ds.manager, sc.orgId, id);

/** The member ids named in a value ([{value}], {value} or "id"); with `strict`, each must be a SCIM user of this org. */
export async function memberIds(tx: EntityManager, orgId: string, value: unknown, strict: boolean): Promise<string[]> {
  const items = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const ids = items.map((v) => (typeof v === "object" && v !== null ? (v as { value?: unknown }).value : v));
  const bad = ids.filter((v) => !isUuid(v));
  if (strict && bad.length) throw badValue(`No user ${JSON.stringify(bad[0])} in this organization.`);
  const wanted = [...new Set(ids.filter(isUuid).map((s) => s.toLowerCase()))];
  if (!strict || wanted.length === 0) return wanted;
  const found: Array<{ id: string }> = await tx.query(
    `SELECT id FROM memberships WHERE org_id = $1 AND scim_user_name IS NOT NULL AND id = ANY($2::uuid[])`, [orgId, wanted]);
  if (found.length !== wanted.length) {
    const have = new Set(found.map((f) => f.id));
    throw badValue(`No user ${wanted.find((w) => !have.has(w))} in this organization.`);
  }
  return wanted;
}

/** Tracks what one write did to a group, so roles are re-computed only for those concerned. */
export class GroupChange {
  added = new Set<string>();
  removed = new Set<string>();
  removedAll = false;
  constructor(readonly group: GroupRow, readonly mappedBefore: Mapping | null) {}
  newName: string | undefined;
  newExternalId: string | null | undefined;

  async add(tx: EntityManager, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows: Array<{ membership_id: string }> = await tx.query(
      `INSERT INTO scim_group_members (group_id, membership_id, org_id) SELECT $1::uuid, unnest($3::uuid[]), $2::uuid
       ON CONFLICT DO NOTHING RETURNING membership_id`, [this.group.id, this.orgId, ids]);
    for (const r of rows) { this.added.add(r.membership_id); this.removed.delete(r.membership_id); }
  }
  async remove(tx: EntityManager, ids: string[] | "all", keep: string[] = []): Promise<void> {
    const returning = this.mappedBefore || this.newName !== undefined ? "RETURNING membership_id" : "";
    const rows = returned<{ membership_id: string }>(ids === "all"
      ? await tx.query(`DELETE FROM scim_group_members WHERE group_id = $1 AND NOT (membership_id = ANY($2::uuid[])) ${returning}`, [this.group.id, keep])
      : ids.length ? await tx.query(`DELETE FROM scim_group_members WHERE group_id = $1 AND membership_id = ANY($2::uuid[]) ${returning}`, [this.group.id, ids]) : []);
    if (ids === "all" && !returning) this.removedAll = true;
    for (const r of returning ? rows : []) { this.removed.add(r.membership_id); this.added.delete(r.membership_id); }
  }
  orgId = "";
}

async function assertNameFree(tx: EntityManager, orgId: string, name: string, exceptId: string | null): Promise<void> {
  const rows = await tx.query(`SELECT 1 FROM scim_groups WHERE org_id = $1 AND lower(display_name) = lower($2) AND ($3::uuid IS NULL OR id <> $3::uuid)`, [orgId, name, exceptId]);
  if (rows.length) throw new ScimError(409, "uniqueness", `A group named '${name}' already exists.`);
}

/** Writes name/externalId, then re-computes roles where a mapping is concerned. */
async function finish(deps: Deps, tx: EntityManager, sc: ScimCtx, org: Organization, ch: GroupChange): Promise<GroupRow> {
  const g = ch.group;
  if (ch.newName !== undefined && ch.newName !== g.displayName) await assertNameFree(tx, org.id, ch.newName, g.id);
  const [row] = returned<GroupRow>(await tx.query(
    `UPDATE scim_groups g SET display_name = coalesce($2, display_name), external_id = CASE WHEN $4 THEN $3 ELSE external_id END, updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`, [g.id, ch.newName ?? null, ch.newExternalId ?? null, ch.newExternalId !== undefined]));
  const renamed = row.displayName.toLowerCase() !== g.displayName.toLowerCase();
  const mappedAfter = renamed ? await mappingFor(tx, org.id, row.displayName) : ch.mappedBefore;
  if (!ch.mappedBefore && !mappedAfter) return row;
  let affected = [...ch.added, ...ch.removed];
  if (renamed) {
    const all: Array<{ membership_id: string }> = await tx.query(`SELECT membership_id FROM scim_group_members WHERE group_id = $1`, [g.id]);
    affected = [...new Set([...affected, ...all.map((a) => a.membership_id)])];
  }
  const hadGrants = (ch.mappedBefore?.grants.length ?? 0) > 0 || (mappedAfter?.grants.length ?? 0) > 0;
  await syncRoles(deps, tx, sc.ctx, org, affected, hadGrants);
  return row;
}

/** Runs a group write under the org lock; a last-Owner refusal is audited in its own transaction. */
export async function groupWrite<T>(deps: Deps, sc: ScimCtx, fn: (tx: EntityManager, org: Organization) => Promise<T>): Promise<T> {
  try {
    return await deps.ds.transaction(async (tx) => fn(tx, await lockOrg(tx, sc.orgId)));
  } catch (err) {
    if (err instanceof MemberLastOwnerError) {
      await deps.ds.transaction((tx) => auditChangeRefused(tx, sc.ctx, sc.orgId, err.memberId, { reason: err.code }));
    }
    throw err;
  }
}

export interface GroupInput { displayName: string; externalId: string | null; members: unknown }

export async function createGroup(deps: Deps, sc: ScimCtx, input: GroupInput): Promise<GroupRow> {
  return groupWrite(deps, sc, async (tx, org) => {
    await assertNameFree(tx, org.id, input.displayName, null);
    const ids = await memberIds(tx, org.id, input.members, true);
    const [g]: GroupRow[] = await tx.query(
      `INSERT INTO scim_groups AS g (org_id, display_name, external_id) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [org.id, input.displayName, input.externalId]);
    const ch = change(g, org, await mappingFor(tx, org.id, g.displayName));
    await ch.add(tx, ids);
    await recordAudit(tx, sc.ctx, { orgId: org.id, action: "scim_group.created", target: { type: "scim_group", id: g.id, name: g.displayName }, metadata: { members: ids.length } });
    return finish(deps, tx, sc, org, ch);
  });
}

export function change(g: GroupRow, org: Organization, mapped: Mapping | null): GroupChange {
  const ch = new GroupChange(g, mapped);
  ch.orgId = org.id;
  return ch;
}

export async function replaceGroup(deps: Deps, sc: ScimCtx, id: string, input: GroupInput): Promise<GroupRow> {
  return groupWrite(deps, sc, async (tx, org) => {
    const g = await findGroup(tx, org.id, id);
    const ch = change(g, org, await mappingFor(tx, org.id, g.displayName));
    ch.newName = input.displayName;
    ch.newExternalId = input.externalId;
    const ids = await memberIds(tx, org.id, input.members, true);
    await ch.remove(tx, "all", ids);
    await ch.add(tx, ids);
    return finish(deps, tx, sc, org, ch);
  });
}

export async function deleteGroup(deps: Deps, sc: ScimCtx, id: string): Promise<void> {
  await groupWrite(deps, sc, async (tx, org) => {
    const g = await findGroup(tx, org.id, id);
    const mapped = await mappingFor(tx, org.id, g.displayName);
    const ids: Array<{ membership_id: string }> = mapped ? await tx.query(`SELECT membership_id FROM scim_group_members WHERE group_id = $1`, [g.id]) : [];
    await tx.query(`DELETE FROM scim_groups WHERE id = $1`, [g.id]);
    await recordAudit(tx, sc.ctx, { orgId: org.id, action: "scim_group.deleted", target: { type: "scim_group", id: g.id, name: g.displayName } });
    if (mapped) await syncRoles(deps, tx, sc.ctx, org, ids.map((r) => r.membership_id), mapped.grants.length > 0);
  });
}

export { findGroup, finish };
