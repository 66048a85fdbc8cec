/**
 * The whole directory in scope, read before anything is applied: users (all of the customer, or
 * of some org units, sub-units included), groups with their members (nested groups flattened),
 * and, with a group scope, only the users who are transitive members of those groups.
 */
import { DirectoryReadError, READ_ERRORS } from "../errors";
import type { DirectoryApi } from "./api";

export interface DirUser {
  id: string; email: string; givenName: string; familyName: string; fullName: string;
  /** Google `suspended: true` or `archived: true`. */
  suspended: boolean;
}
export interface DirGroup { id: string; email: string; name: string; directMembers: number; userIds: Set<string> }
export interface Snapshot { users: DirUser[]; groups: DirGroup[] }

interface RawUser { id?: unknown; primaryEmail?: unknown; name?: { givenName?: unknown; familyName?: unknown; fullName?: unknown }; suspended?: unknown; archived?: unknown }
interface RawGroup { id?: unknown; email?: unknown; name?: unknown }
interface RawMember { id?: unknown; email?: unknown; type?: unknown }

const str = (v: unknown) => (typeof v === "string" ? v : "");

function toUser(r: RawUser): DirUser {
  const id = str(r.id), email = str(r.primaryEmail).trim().toLowerCase();
  if (!id || !email.includes("@")) throw new DirectoryReadError(READ_ERRORS.badResponse, "Google returned a user without an id or primaryEmail.");
  const givenName = str(r.name?.givenName), familyName = str(r.name?.familyName);
  return { id, email, givenName, familyName, fullName: str(r.name?.fullName) || `${givenName} ${familyName}`.trim(), suspended: r.suspended === true || r.archived === true };
}

export interface Scope { orgUnits: string[]; groups: string[] }

async function readUsers(api: DirectoryApi, scope: Scope): Promise<DirUser[]> {
  const base = { customer: "my_customer", maxResults: "500", projection: "basic", orderBy: "email" };
  const queries = scope.orgUnits.length ? scope.orgUnits.map((ou) => ({ ...base, query: `orgUnitPath='${ou.replace(/'/g, "")}'` })) : [base];
  const byId = new Map<string, DirUser>();
  for (const q of queries) for (const r of await api.all<RawUser>("/users", q, "users")) {
    const u = toUser(r);
    byId.set(u.id, u);
  }
  return [...byId.values()];
}

async function readGroups(api: DirectoryApi): Promise<Array<{ id: string; email: string; name: string; members: RawMember[] }>> {
  const groups = await api.all<RawGroup>("/groups", { customer: "my_customer", maxResults: "200" }, "groups");
  const out = [];
  for (const g of groups) {
    const id = str(g.id), email = str(g.email).toLowerCase();
    if (!id || !email) throw new DirectoryReadError(READ_ERRORS.badResponse, "Google returned a group without an id or email.");
    let members: RawMember[];
    try {
      members = await api.all<RawMember>(`/groups/${encodeURIComponent(id)}/members`, { maxResults: "200" }, "members");
    } catch (err) {
      // Deleted between the group list and its member list: a normal change during a read.
      if (err instanceof DirectoryReadError && err.status === 404) continue;
      throw err;
    }
    out.push({ id, email, name: str(g.name) || email, members });
  }
  return out;
}

/** Users of each group, nested groups included (cycles are harmless); CUSTOMER = every user. */
export function flatten(raw: Array<{ id: string; email: string; name: string; members: RawMember[] }>, allUserIds: string[]): DirGroup[] {
  const byId = new Map(raw.map((g) => [g.id, g]));
  const memo = new Map<string, Set<string>>();
  const usersOf = (id: string, path: Set<string>): Set<string> => {
    const done = memo.get(id);
    if (done) return done;
    const out = new Set<string>();
    const g = byId.get(id);
    if (!g || path.has(id)) return out;
    path.add(id);
    for (const m of g.members) {
      if (m.type === "USER") out.add(str(m.id));
      else if (m.type === "GROUP") for (const u of usersOf(str(m.id), path)) out.add(u);
      else if (m.type === "CUSTOMER") for (const u of allUserIds) out.add(u);
    }
    path.delete(id);
    memo.set(id, out);
    return out;
  };
  return raw.map((g) => ({ id: g.id, email: g.email, name: g.name, directMembers: g.members.length, userIds: usersOf(g.id, new Set()) }));
}

export async function readSnapshot(api: DirectoryApi, scope: Scope): Promise<Snapshot> {
  let users = await readUsers(api, scope);
  const groups = flatten(await readGroups(api), users.map((u) => u.id));
  if (scope.groups.length) {
    const wanted = new Set(scope.groups.map((e) => e.toLowerCase()));
    const inScope = new Set(groups.filter((g) => wanted.has(g.email)).flatMap((g) => [...g.userIds]));
    users = users.filter((u) => inScope.has(u.id));
  }
  return { users, groups };
}
