/**
 * The Directory API read endpoints of the emulator (google-emulator.ts): bearer token and scope
 * checks, the acting admin's privilege, Google's paging and its error bodies.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmuGroup, EmuUser } from "./google-emulator";
import { googleError, send } from "./google-emulator";

export interface EmuState {
  users: Map<string, EmuUser>;
  groups: Map<string, EmuGroup>;
  domains: Array<{ domainName: string; verified: boolean; isPrimary: boolean }>;
  tokens: Map<string, { sub: string; scopes: Set<string>; expiresAt: number }>;
}

const SCOPE = (s: string) => `https://www.googleapis.com/auth/admin.directory.${s}`;
const BASE = "/admin/directory/v1";

/** Opaque page tokens: the offset, wrapped so that clients cannot build one. */
const encodePage = (offset: number) => Buffer.from(`emu:${offset}`).toString("base64url");
function decodePage(token: string | null): number | null {
  if (!token) return 0;
  const m = /^emu:(\d+)$/.exec(Buffer.from(token, "base64url").toString());
  return m ? Number(m[1]) : null;
}

function page<T>(items: T[], url: URL, max: number, dflt: number): { slice: T[]; next?: string } | { error: string } {
  const raw = url.searchParams.get("maxResults");
  const size = raw === null ? dflt : Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > max) return { error: `Invalid value '${raw}'. Values must be within the range: [1, ${max}]` };
  const offset = decodePage(url.searchParams.get("pageToken"));
  if (offset === null) return { error: "Invalid page token" };
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { slice, next: encodePage(offset + size) } : { slice };
}

function inOrgUnit(u: EmuUser, query: string | null): boolean {
  if (!query) return true;
  const m = /^orgUnitPath='([^']*)'$/.exec(query.trim());
  if (!m) return true;
  const path = m[1].replace(/\/$/, "") || "/";
  return path === "/" || u.orgUnitPath === path || u.orgUnitPath.startsWith(`${path}/`);
}

export async function handleApi(s: EmuState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  const tok = auth ? s.tokens.get(auth[1]) : undefined;
  if (!tok || tok.expiresAt < Date.now()) {
    return send(res, 401, googleError(401, "authError", "Invalid Credentials"), { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' });
  }
  const admin = [...s.users.values()].find((u) => u.primaryEmail.toLowerCase() === tok.sub.toLowerCase());
  const forbidden = () => send(res, 403, googleError(403, "forbidden", "Not Authorized to access this resource/api"));
  const insufficient = () => send(res, 403, googleError(403, "insufficientPermissions", "Request had insufficient authentication scopes."));
  if (!admin?.isAdmin) return forbidden();
  const path = url.pathname;
  const bad = (message: string) => send(res, 400, googleError(400, "invalid", message));

  if (req.method === "GET" && path === `${BASE}/users`) {
    if (!tok.scopes.has(SCOPE("user.readonly"))) return insufficient();
    if (url.searchParams.get("customer") !== "my_customer") return bad("Bad Request");
    const users = [...s.users.values()].filter((u) => inOrgUnit(u, url.searchParams.get("query")))
      .sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail));
    const p = page(users, url, 500, 100);
    if ("error" in p) return bad(p.error);
    return send(res, 200, { kind: "admin#directory#users", etag: '"emu"', ...(p.slice.length ? { users: p.slice.map(userJson) } : {}), ...(p.next ? { nextPageToken: p.next } : {}) });
  }
  if (req.method === "GET" && path === `${BASE}/groups`) {
    if (!tok.scopes.has(SCOPE("group.readonly"))) return insufficient();
    const groups = [...s.groups.values()].sort((a, b) => a.email.localeCompare(b.email));
    const p = page(groups, url, 200, 200);
    if ("error" in p) return bad(p.error);
    return send(res, 200, { kind: "admin#directory#groups", etag: '"emu"', ...(p.slice.length ? {
      groups: p.slice.map((g) => ({ kind: "admin#directory#group", id: g.id, email: g.email, name: g.name, description: "", directMembersCount: String(g.members.length), adminCreated: true })),
    } : {}), ...(p.next ? { nextPageToken: p.next } : {}) });
  }
  const mm = new RegExp(`^${BASE}/groups/([^/]+)/members$`).exec(path);
  if (req.method === "GET" && mm) {
    if (!tok.scopes.has(SCOPE("group.member.readonly")) && !tok.scopes.has(SCOPE("group.readonly"))) return insufficient();
    const key = decodeURIComponent(mm[1]).toLowerCase();
    const g = [...s.groups.values()].find((x) => x.id === key || x.email.toLowerCase() === key);
    if (!g) return send(res, 404, googleError(404, "notFound", "Resource Not Found: groupKey"));
    const p = page(g.members, url, 200, 200);
    if ("error" in p) return bad(p.error);
    return send(res, 200, { kind: "admin#directory#members", etag: '"emu"', ...(p.slice.length ? {
      members: p.slice.map((m) => ({ kind: "admin#directory#member", id: m.id, ...(m.email ? { email: m.email } : {}), role: m.role, type: m.type, status: "ACTIVE" })),
    } : {}), ...(p.next ? { nextPageToken: p.next } : {}) });
  }
  if (req.method === "GET" && path === `${BASE}/customer/my_customer/domains`) {
    if (!tok.scopes.has(SCOPE("domain.readonly"))) return insufficient();
    return send(res, 200, { kind: "admin#directory#domains", domains: s.domains.map((d) => ({ kind: "admin#directory#domain", ...d, creationTime: "1700000000000" })) });
  }
  send(res, 404, googleError(404, "notFound", "Not Found"));
}

function userJson(u: EmuUser): Record<string, unknown> {
  return {
    kind: "admin#directory#user", id: u.id, primaryEmail: u.primaryEmail, name: u.name, isAdmin: u.isAdmin, suspended: u.suspended,
    archived: u.archived, orgUnitPath: u.orgUnitPath, customerId: "C0abc123", emails: [{ address: u.primaryEmail, primary: true }],
    creationTime: "2024-01-01T00:00:00.000Z", lastLoginTime: "2025-01-01T00:00:00.000Z",
  };
}
