/**
 * Group-name → role (and optional chatbot grants) mappings, per org. A mapping change applies at
 * once to the members of groups with that name, through syncRoles (emails, audit, last-Owner rule),
 * in one transaction under the org lock.
 */
import type { EntityManager } from "typeorm";
import { GroupRoleMapping, type ChatbotAccess, type Organization, type Role } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { lockOrg, auditChangeRefused } from "../src/members/member.service";
import { checkGrants } from "../src/members/grants";
import { recordAudit } from "../src/audit/audit-log";
import { requireEnterprise } from "../src/orgs/org.service";
import { ConflictError, NotFoundError } from "../src/errors";
import { isUniqueViolation } from "../src/db/pg-errors";
import { MemberLastOwnerError, syncRoles } from "./roles";

export interface MappingInput {
  groupName: string;
  role: Role;
  chatbotPermissions?: Array<{ chatbotId: string; access: ChatbotAccess }>;
}

export interface MappingView { id: string; groupName: string; role: Role; chatbotPermissions: MappingInput["chatbotPermissions"]; createdAt: Date }

const view = (m: GroupRoleMapping): MappingView => ({ id: m.id, groupName: m.groupName, role: m.role, chatbotPermissions: m.chatbotPermissions, createdAt: m.createdAt });

export async function listMappings(deps: Deps, orgId: string): Promise<MappingView[]> {
  const rows = await deps.ds.getRepository(GroupRoleMapping).find({ where: { orgId }, order: { createdAt: "ASC", id: "ASC" } });
  return rows.map(view);
}

/** Members of the org's groups with any of these names (case-insensitive). */
async function membersOfGroupsNamed(tx: EntityManager, orgId: string, names: string[]): Promise<string[]> {
  const rows: Array<{ id: string }> = await tx.query(
    `SELECT DISTINCT gm.membership_id AS id FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id
      WHERE g.org_id = $1 AND lower(g.display_name) = ANY($2::text[])`, [orgId, names.map((n) => n.toLowerCase())]);
  return rows.map((r) => r.id);
}

async function mappingWrite<T>(deps: Deps, ctx: Ctx, orgId: string, fn: (tx: EntityManager, org: Organization) => Promise<T>): Promise<T> {
  try {
    return await deps.ds.transaction(async (tx) => {
      const org = await lockOrg(tx, orgId);
      requireEnterprise(org, "SCIM provisioning");
      return fn(tx, org);
    });
  } catch (err) {
    if (err instanceof MemberLastOwnerError) {
      await deps.ds.transaction((tx) => auditChangeRefused(tx, ctx, orgId, err.memberId, { reason: err.code }));
    }
    if (isUniqueViolation(err)) throw new ConflictError("scim_mapping.exists", "A mapping for this group name already exists.");
    throw err;
  }
}

/** Creates the mapping for `groupName`, or (with `upsert`, as the CLI does) updates the existing one. */
export async function saveMapping(deps: Deps, ctx: Ctx, orgId: string, input: MappingInput, opts: { id?: string; upsert?: boolean } = {}): Promise<MappingView> {
  return mappingWrite(deps, ctx, orgId, async (tx, org) => {
    const repo = tx.getRepository(GroupRoleMapping);
    const grants = await checkGrants(tx, org.id, input.chatbotPermissions ?? []);
    let row = opts.id
      ? await repo.findOneBy({ id: opts.id, orgId: org.id })
      : await repo.createQueryBuilder("g").where("g.org_id = :o AND lower(g.group_name) = lower(:n)", { o: org.id, n: input.groupName }).getOne();
    if (opts.id && !row) throw new NotFoundError("Group mapping");
    if (row && !opts.id && !opts.upsert) throw new ConflictError("scim_mapping.exists", `A mapping for the group "${row.groupName}" already exists.`);
    const before = row ? { groupName: row.groupName, role: row.role, grants: row.chatbotPermissions.length } : null;
    row = await repo.save(repo.create({ ...(row ?? {}), orgId: org.id, groupName: input.groupName, role: input.role, chatbotPermissions: grants }));
    await recordAudit(tx, ctx, {
      orgId: org.id, action: before ? "scim_mapping.updated" : "scim_mapping.created", target: { type: "scim_mapping", id: row.id, name: row.groupName },
      metadata: { role: row.role, chatbotPermissions: grants, ...(before ? { before } : {}) },
    });
    const names = [...new Set([input.groupName, ...(before ? [before.groupName] : [])])];
    await syncRoles(deps, tx, ctx, org, await membersOfGroupsNamed(tx, org.id, names), (before?.grants ?? 0) > 0 || grants.length > 0);
    return view(row);
  });
}

export async function deleteMapping(deps: Deps, ctx: Ctx, orgId: string, id: string): Promise<void> {
  await mappingWrite(deps, ctx, orgId, async (tx, org) => {
    const repo = tx.getRepository(GroupRoleMapping);
    const row = await repo.findOneBy({ id, orgId: org.id });
    if (!row) throw new NotFoundError("Group mapping");
    await repo.delete({ id: row.id });
    await recordAudit(tx, ctx, { orgId: org.id, action: "scim_mapping.deleted", target: { type: "scim_mapping", id: row.id, name: row.groupName }, metadata: { role: row.role } });
    await syncRoles(deps, tx, ctx, org, await membersOfGroupsNamed(tx, org.id, [row.groupName]), row.chatbotPermissions.length > 0);
  });
}

export async function findMapping(deps: Deps, orgId: string, id: string): Promise<MappingView> {
  const row = await deps.ds.getRepository(GroupRoleMapping).findOneBy({ id, orgId });
  if (!row) throw new NotFoundError("Group mapping");
  return view(row);
}
