/**
 * The difference between the directory as read and the org's members, as data (pure: no I/O).
 * Google decides presence, status, profile name and mapped groups of the members it manages
 * (matched by Google id first, then by account); it never makes or unmakes an Owner (mappings to
 * Owner count as Admin; an Owner's role is left alone), suspends or removes an Owner only with
 * `ownerAuthority` (idp-owner-guard.ts), and never touches members it does not manage. A new user
 * outside the org's verified domains becomes a pending membership (`pending`, accounts.ts).
 */
import type { ChatbotAccess, Role, ScimUserAttributes } from "../entities";
import type { AccountDecision } from "./accounts";
import type { DirGroup, DirUser } from "./google/snapshot";

export interface CurrentMember {
  membershipId: string; userId: string; role: Role; status: "active" | "suspended"; attributes: ScimUserAttributes | null;
  scimUserName: string | null; managed: { googleId: string; email: string; baseRole: Role } | null;
}
export interface MappingRow { groupName: string; role: Role; grants: Array<{ chatbotId: string; access: ChatbotAccess }> }
export interface KnownGroup { googleId: string; email: string; name: string; memberCount: number }

export interface PlanInput {
  users: DirUser[];
  groups: DirGroup[];
  accounts: Map<string, AccountDecision>;
  members: CurrentMember[];
  mappings: MappingRow[];
  grants: Map<string, Map<string, ChatbotAccess>>;
  knownGroups: KnownGroup[];
  /** The directory may suspend or remove Owners (org's "IdP-managed Owners" on; see sync.service.ts). */
  ownerAuthority?: boolean;
}

export interface NewMemberPlan { user: DirUser; role: Role; status: "active" | "suspended"; attributes: ScimUserAttributes }

export interface Plan {
  create: Array<NewMemberPlan & { userId: string | null }>;
  /** New users outside the org's verified domains: memberships waiting for the person (provisionMember). */
  pending: NewMemberPlan[];
  adopt: Array<{ user: DirUser; membershipId: string; baseRole: Role }>;
  attributes: Array<{ id: string; attributes: ScimUserAttributes }>;
  restore: string[];
  suspend: string[];
  remove: string[];
  roles: Array<{ id: string; role: Role }>;
  grants: Array<{ id: string; grants: Array<{ chatbotId: string; access: ChatbotAccess }> }>;
  relink: Array<{ id: string; googleId: string; email: string }>;
  skipped: Array<{ email: string; reason: string }>;
  /** Owners Google suspended or removed, kept because the directory has no authority over Owners. */
  ownersKept: string[];
  unchanged: number;
  groups: { upsert: KnownGroup[]; created: number; updated: number; remove: string[] };
}

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
const ACCESS: Record<ChatbotAccess, number> = { view: 1, reply: 2, manage: 3 };

export function attributesOf(u: DirUser): ScimUserAttributes {
  return { name: { givenName: u.givenName, familyName: u.familyName, formatted: u.fullName }, displayName: u.fullName };
}
/** Field by field: jsonb does not keep key order. */
const sameAttributes = (a: ScimUserAttributes | null, b: ScimUserAttributes) =>
  !!a && a.displayName === b.displayName && (["givenName", "familyName", "formatted"] as const).every((k) => a.name?.[k] === b.name?.[k]);

/** Mapped role and grants per Google user id: highest role (Owner capped to Admin), highest access per chatbot. */
function mapped(input: PlanInput): Map<string, { role: Role | null; grants: Map<string, ChatbotAccess> }> {
  const byName = new Map(input.mappings.map((m) => [m.groupName.toLowerCase(), m]));
  const out = new Map<string, { role: Role | null; grants: Map<string, ChatbotAccess> }>();
  for (const g of input.groups) {
    const m = byName.get(g.email) ?? byName.get(g.name.toLowerCase());
    if (!m) continue;
    const role: Role = m.role === "owner" ? "admin" : m.role;
    for (const uid of g.userIds) {
      const cur: { role: Role | null; grants: Map<string, ChatbotAccess> } = out.get(uid) ?? { role: null, grants: new Map() };
      if (!cur.role || RANK[role] > RANK[cur.role]) cur.role = role;
      for (const gr of m.grants) {
        const prev = cur.grants.get(gr.chatbotId);
        if (!prev || ACCESS[gr.access] > ACCESS[prev]) cur.grants.set(gr.chatbotId, gr.access);
      }
      out.set(uid, cur);
    }
  }
  return out;
}

const sameGrants = (a: Map<string, ChatbotAccess> | undefined, b: Map<string, ChatbotAccess>) =>
  (a?.size ?? 0) === b.size && [...b].every(([k, v]) => a?.get(k) === v);

export function planSync(input: PlanInput): Plan {
  const plan: Plan = { create: [], pending: [], ownersKept: [], adopt: [], attributes: [], restore: [], suspend: [], remove: [], roles: [], grants: [], relink: [], skipped: [], unchanged: 0,
    groups: { upsert: [], created: 0, updated: 0, remove: [] } };
  const byUser = new Map(input.members.map((m) => [m.userId, m]));
  const byGoogle = new Map(input.members.flatMap((m) => (m.managed ? [[m.managed.googleId, m] as const] : [])));
  const roles = mapped(input);
  const grantsGovern = input.mappings.some((m) => m.grants.length > 0);
  const kept = new Set<string>();
  for (const u of input.users) {
    const decision = input.accounts.get(u.email);
    if (!decision) {
      plan.skipped.push({ email: u.email, reason: "no_decision" });
      continue;
    }
    const m = byGoogle.get(u.id) ?? (decision.kind === "existing" ? byUser.get(decision.userId) : undefined);
    const map = roles.get(u.id);
    const status = u.suspended ? "suspended" : "active";
    if (!m) {
      const role = map?.role && RANK[map.role] > RANK.member ? map.role : "member";
      const row = { user: u, role, status, attributes: attributesOf(u) } as const;
      if (decision.kind === "pending") plan.pending.push(row);
      else plan.create.push({ ...row, userId: decision.kind === "existing" ? decision.userId : null });
      if (map?.grants.size) plan.grants.push({ id: `user:${u.id}`, grants: [...map.grants].map(([chatbotId, access]) => ({ chatbotId, access })) });
      continue;
    }
    if (m.scimUserName !== null && !m.managed) {
      plan.skipped.push({ email: u.email, reason: "managed_by_scim" });
      kept.add(m.membershipId);
      continue;
    }
    kept.add(m.membershipId);
    let changed = false;
    const baseRole = m.managed?.baseRole ?? m.role;
    if (!m.managed) {
      plan.adopt.push({ user: u, membershipId: m.membershipId, baseRole });
      changed = true;
    } else if (m.managed.googleId !== u.id || m.managed.email !== u.email) plan.relink.push({ id: m.membershipId, googleId: u.id, email: u.email });
    const attrs = attributesOf(u);
    if (!sameAttributes(m.attributes, attrs)) { plan.attributes.push({ id: m.membershipId, attributes: attrs }); changed = true; }
    if (m.status !== status) {
      if (status === "suspended" && m.role === "owner" && !input.ownerAuthority) plan.ownersKept.push(m.membershipId);
      else { (status === "suspended" ? plan.suspend : plan.restore).push(m.membershipId); changed = true; }
    }
    if (m.role !== "owner") {
      const base = baseRole === "owner" ? "admin" : baseRole;
      const target = map?.role && RANK[map.role] > RANK[base] ? map.role : base;
      if (target !== m.role) { plan.roles.push({ id: m.membershipId, role: target }); changed = true; }
    }
    const want = map?.grants ?? new Map<string, ChatbotAccess>();
    if ((want.size > 0 || grantsGovern) && m.role === "member" && !sameGrants(input.grants.get(m.membershipId), want)) {
      plan.grants.push({ id: m.membershipId, grants: [...want].map(([chatbotId, access]) => ({ chatbotId, access }))});
      changed = true;
    }
    if (!changed) plan.unchanged++;
  }
  for (const m of input.members) {
    if (!m.managed || kept.has(m.membershipId)) continue;
    (m.role === "owner" && !input.ownerAuthority ? plan.ownersKept : plan.remove).push(m.membershipId);
  }
  planGroups(input, plan);
  return plan;
}

function planGroups(input: PlanInput, plan: Plan): void {
  const known = new Map(input.knownGroups.map((g) => [g.googleId, g]));
  const seen = new Set<string>();
  for (const g of input.groups) {
    seen.add(g.id);
    const row: KnownGroup = { googleId: g.id, email: g.email, name: g.name, memberCount: g.userIds.size };
    const k = known.get(g.id);
    if (!k) plan.groups.created++;
    else if (k.email !== row.email || k.name !== row.name || k.memberCount !== row.memberCount) plan.groups.updated++;
    else continue;
    plan.groups.upsert.push(row);
  }
  plan.groups.remove = input.knownGroups.filter((g) => !seen.has(g.googleId)).map((g) => g.googleId);
}

/** A sync that would remove or suspend more than max(5, 10 %) of the directory's members is held. */
export function holdReason(plan: Plan, managedCount: number): string | null {
  const n = plan.remove.length + plan.suspend.length;
  const limit = Math.max(5, managedCount * 0.1);
  if (n <= limit) return null;
  return `This sync would remove ${plan.remove.length} and suspend ${plan.suspend.length} of ${managedCount} members managed by Google Workspace (more than ${Math.floor(limit)}).`;
}
