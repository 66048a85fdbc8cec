/**
 * Bearer-token authentication for /scim/v2 (security cases SCIM-01..03, 08..10): the token is
 * hashed and looked up on the unique token_hash index, the digests compared in constant time;
 * unknown and revoked tokens get the same 401. The org comes from the token only. Runs before
 * scimmy so that 401/403/429 are SCIM-shaped (scimmy cannot render 429). One exception to "read
 * the token first": with a token this process already knows, POST /Users, and PUT/PATCH of a user
 * it knows, are not read first; their write checks the token itself (`unconfirmed` below, and
 * recent.ts), saving a round trip on the IdP's busiest writes.
 */
import { timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import type { Ctx, Deps } from "../src/context";
import { sha256 } from "../src/auth/tokens";
import { prepared } from "../src/db/prepared";
import { SharedRateLimiter, type Limiter } from "../src/http/rate-limit";
import { RateLimitedError } from "../src/errors";
import { ScimError, sendScimError, toScimError } from "./errors";
import { isUuid } from "../src/http/validate";
import { CURRENT_USER_COLUMNS, type CurrentUser } from "./users.service";
import { recentOf, type Recent } from "./recent";
import type { StillValidToken } from "../src/members/member.bulk";

export interface ScimCtx {
  orgId: string;
  tokenId: string;
  ctx: Ctx;
  /**
   * PUT/PATCH /Users/:id: the user as read with the token (null: not a SCIM user of this org), or
   * as this process last saw it (`recalled`: the write must compare-and-set against it).
   */
  current?: { id: string; row: CurrentUser | null; recalled?: boolean };
  /** GET /Users?filter=userName eq "…": the user as read with the token (null: none in this org). */
  lookup?: { userName: string; row: CurrentUser | null };
  /**
   * POST /Users, or PUT/PATCH of a `recalled` user, with a token this process authenticated
   * before: not read again. The write re-checks it in its own statement (createIdpMembers,
   * replaceIdpMembers `token`); any other path, and any error answer, first awaits `confirm()`,
   * which reads it and throws the 401/403 a revoked token gets.
   */
  unconfirmed?: { token: StillValidToken; confirm: () => Promise<void> };
  /** Users of this org this process read or wrote lately (recent.ts), by id. */
  users?: { note(row: CurrentUser): void; forget(id: string): void };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      scim?: ScimCtx;
    }
  }
}

/**
 * Per-app limiters, shared by all instances through the database (RATE_LIMIT_SCIM_*); on
 * app.locals so that tests (small limits) and the benchmark (none) can replace them.
 */
export interface ScimLimits {
  perToken: Limiter | null;
  failedAuthPerIp: Limiter;
}

export function scimLimits(deps: Deps, req: Request): ScimLimits {
  const locals = req.app.locals as { scimLimits?: ScimLimits };
  const now = () => deps.clock.now();
  locals.scimLimits ??= {
    perToken: new SharedRateLimiter(deps.ds, "scim-token", deps.config.rateLimits.scimPerToken, now),
    failedAuthPerIp: new SharedRateLimiter(deps.ds, "scim-auth-ip", deps.config.rateLimits.scimFailedAuthPerIp, now),
  };
  return locals.scimLimits;
}

const UNAUTHORIZED = "Missing, invalid or revoked bearer token.";
const LAST_USED_EVERY_MS = 60_000;

interface TokenRow { id: string; org_id: string; name: string; token_hash: string; revoked_at: Date | null; last_used_at: Date | null; plan: string }
type TokenAndUserRow = TokenRow & Partial<Omit<CurrentUser, "id">> & { member_id?: string | null };

const TOKEN_SQL = `SELECT t.id, t.org_id, t.name, t.token_hash, t.revoked_at, t.last_used_at, o.plan
  FROM scim_tokens t JOIN organizations o ON o.id = t.org_id`;
const TOKEN = prepared("scim_token", `${TOKEN_SQL} WHERE t.token_hash = $1`);
/**
 * The two requests an IdP sends most read one user right after the token: PUT and PATCH
 * /Users/:id (users.service replaceUser reads it before deciding) and the lookup
 * `GET /Users?filter=userName eq "…"` that precedes every create and update. Reading it here, in
 * the token's statement and scoped to the token's org, saves a round trip. Nothing of it is used
 * unless the token passes every check below.
 */
const tokenAndUser = (name: string, userMatch: string) => prepared(name, `SELECT tk.*, cu.id AS member_id, cu."scimUserName", cu."externalId", cu.status,
       cu."scimAttributes", cu."createdAt", cu."updatedAt", cu.role, cu."scimRole"
  FROM (${TOKEN_SQL} WHERE t.token_hash = $1) tk
  LEFT JOIN LATERAL (SELECT ${CURRENT_USER_COLUMNS} FROM memberships m
                      WHERE ${userMatch} AND m.org_id = tk.org_id AND m.scim_user_name IS NOT NULL) cu ON true`);
const TOKEN_AND_USER = tokenAndUser("scim_token_user", "m.id = $2");
// userName is unique per org in any case (memberships_org_scim_user_name_key): at most one row.
const TOKEN_AND_LOOKUP = tokenAndUser("scim_token_lookup", "lower(m.scim_user_name) = lower($2)");

const REPLACED_USER = /^\/Users\/([^/]+)\/?$/i;
// The plain form IdPs send; anything else (other attributes, escapes, logic) goes the general way.
const USER_NAME_EQ = /^\s*userName\s+eq\s+"([^"\\]{1,320})"\s*$/i;

type Target = { by: "id"; id: string } | { by: "userName"; userName: string } | null;

function targetOf(req: Request): Target {
  if (req.method === "PUT" || req.method === "PATCH") {
    const id = REPLACED_USER.exec(req.path)?.[1];
    return id && isUuid(id) ? { by: "id", id } : null;
  }
  if (req.method === "GET" && /^\/Users\/?$/i.test(req.path) && typeof req.query.filter === "string") {
    const userName = USER_NAME_EQ.exec(req.query.filter)?.[1];
    return userName ? { by: "userName", userName } : null;
  }
  return null;
}

function currentUser(r: TokenAndUserRow): CurrentUser | null {
  if (!r.member_id) return null;
  return { id: r.member_id, scimUserName: r.scimUserName!, externalId: r.externalId!, status: r.status!, scimAttributes: r.scimAttributes!,
    createdAt: r.createdAt!, updatedAt: r.updatedAt!, role: r.role!, scimRole: r.scimRole! };
}

const tokensOf = (req: Request) => recentOf<TokenRow>(req, "scimRecentTokens", 1_000);
/** Kept as JSON: about 1.3 kB a user instead of 4-5 kB as objects (bench: 10,000 users, +45 MB). */
const usersOf = (req: Request) => recentOf<string>(req, "scimRecentUsers", 10_000);
const userKey = (orgId: string, id: string) => `${orgId}/${id}`;

/** What a replace reads of a user (users.service CURRENT_USER_COLUMNS), not a whole Membership. */
const stored = (u: CurrentUser): string => JSON.stringify({ id: u.id, scimUserName: u.scimUserName, externalId: u.externalId, status: u.status,
  scimAttributes: u.scimAttributes, createdAt: u.createdAt, updatedAt: u.updatedAt, role: u.role, scimRole: u.scimRole });
/** A fresh object each time: a request may change what it was handed (a PATCH applies to the user). */
function revived(json: string | undefined): CurrentUser | undefined {
  if (json === undefined) return undefined;
  const u = JSON.parse(json) as CurrentUser;
  return { ...u, createdAt: new Date(u.createdAt), updatedAt: new Date(u.updatedAt) };
}

function remember(tokens: Recent<TokenRow>, hash: string, r: TokenRow): void {
  tokens.set(hash, { id: r.id, org_id: r.org_id, name: r.name, token_hash: r.token_hash, revoked_at: r.revoked_at, last_used_at: r.last_used_at, plan: r.plan });
}

/** Answers any error of an unconfirmed request with the token's own refusal, if it has one. */
export async function confirmFirst(req: Request): Promise<void> {
  await req.scim?.unconfirmed?.confirm();
}

export function scimAuth(deps: Deps): RequestHandler {
  return (req, res, next) => {
    authenticate(deps, req).then((scim) => {
      req.scim = scim;
      next();
    }, (err) => sendScimError(res, toScimError(err)));
  };
}

async function authenticate(deps: Deps, req: Request): Promise<ScimCtx> {
  const limits = scimLimits(deps, req);
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,512})\s*$/i.exec(req.get("authorization") ?? "");
  if (!m) return refuse(limits, req);
  const hash = sha256(m[1]);
  const target = targetOf(req);
  const tokens = tokensOf(req);
  const users = usersOf(req);
  const seen = tokens.get(hash);
  // Without a read only where the write checks the token itself: a create, or a replace of a user
  // this process knows (its compare-and-set then checks the user too).
  const recalled = seen && target?.by === "id" ? revived(users.get(userKey(seen.org_id, target.id))) : undefined;
  if (seen && (recalled || (target === null && req.method === "POST" && /^\/Users\/?$/i.test(req.path)))) {
    const sc = await accept(deps, req, limits, seen, null);
    const unconfirmed = { token: { id: seen.id, hash }, confirm: async () => {
      if (sc.unconfirmed !== unconfirmed) return;
      delete sc.unconfirmed;
      tokens.delete(hash);
      remember(tokens, hash, await checkedToken(deps, req, limits, hash, null));
    } };
    return Object.assign(sc, { unconfirmed }, recalled ? { current: { id: recalled.id, row: recalled, recalled: true } } : {});
  }
  const row = await checkedToken(deps, req, limits, hash, target);
  const sc = await accept(deps, req, limits, row, target);
  remember(tokens, hash, row);
  const user = sc.current?.row ?? sc.lookup?.row;
  if (user) sc.users?.note(user);
  return sc;
}

/** Reads the token (with the target user, if any) and refuses it as revoked, unknown or off-plan. */
async function checkedToken(deps: Deps, req: Request, limits: ScimLimits, hash: string, target: Target): Promise<TokenAndUserRow> {
  const rows: TokenAndUserRow[] = target === null ? await deps.ds.query(TOKEN, [hash])
    : await deps.ds.query(target.by === "id" ? TOKEN_AND_USER : TOKEN_AND_LOOKUP, [hash, target.by === "id" ? target.id : target.userName]);
  const row = rows[0];
  const ok = row !== undefined && timingSafeEqual(Buffer.from(row.token_hash, "hex"), Buffer.from(hash, "hex")) && !row.revoked_at;
  if (!ok) return refuse(limits, req);
  if (row.plan !== "enterprise") {
    throw new ScimError(403, undefined, `SCIM provisioning is available on the Enterprise plan; this organization is on the ${row.plan} plan.`);
  }
  return row;
}

/** A token that passed (now, or earlier in this process): rate limit, lastUsedAt, the context. */
async function accept(deps: Deps, req: Request, limits: ScimLimits, row: TokenAndUserRow, target: Target): Promise<ScimCtx> {
  await limits.perToken?.hit(row.id);
  const now = deps.clock.now();
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= LAST_USED_EVERY_MS) {
    // The WHERE makes concurrent touches harmless; at most one write a minute per token.
    await deps.ds.query(`UPDATE scim_tokens SET last_used_at = $2 WHERE id = $1 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < $3)`,
      [row.id, now, new Date(now.getTime() - LAST_USED_EVERY_MS)]);
    row.last_used_at = now;
  }
  const users = usersOf(req);
  const key = (id: string) => userKey(row.org_id, id);
  return {
    orgId: row.org_id, tokenId: row.id,
    users: { note: (u) => users.set(key(u.id), stored(u)), forget: (id) => users.delete(key(id)) },
    ctx: { actor: { type: "scim", id: row.id, name: row.name }, ip: req.ip ?? null, requestId: req.id ? String(req.id) : null },
    ...(target?.by === "id" ? { current: { id: target.id, row: currentUser(row) } } : {}),
    ...(target?.by === "userName" ? { lookup: { userName: target.userName, row: currentUser(row) } } : {}),
  };
}

async function refuse(limits: ScimLimits, req: Request): Promise<never> {
  try {
    await limits.failedAuthPerIp.hit(req.ip ?? "unknown");
  } catch (err) {
    if (err instanceof RateLimitedError) throw err;
  }
  throw new ScimError(401, undefined, UNAUTHORIZED);
}
