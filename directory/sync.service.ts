/**
 * One sync of a directory: claim the lease, read the whole directory (any failure stops here,
 * nothing applied, the error recorded), then in one transaction under the org lock compute the
 * difference and either hold it (too many removals/suspensions: Owners emailed, audited) or
 * apply it set-based through the member service. The run's record commits with its changes.
 */
import type { EntityManager } from "typeorm";
import { Directory, DirectorySync, Membership, User, type DirectorySyncCounts, type Organization } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { lockOrg } from "../src/members/member.service";
import { auditRefusals } from "../src/members/member.bulk";
import { credentialMayManageOwners } from "../src/members/idp-owner-guard";
import { accountsFor } from "./accounts";
import { applyPlan } from "./apply";
import { findDirectory, GOOGLE_API_ROOT } from "./directory.service";
import { DirectoryReadError, NothingHeldError, OAuthNotConfiguredError, SyncRunningError } from "./errors";
import { DirectoryApi, type RetryPolicy } from "./google/api";
import { readSnapshot, type Snapshot } from "./google/snapshot";
import { refreshTokenToken, serviceAccountToken } from "./google/token";
import { claimLease, LEASE_MS, releaseLease, renewLease, stillHolds } from "./lease";
import { syncHeldEmail } from "./mail";
import { holdReason, planSync, type Plan } from "./plan";
import { openCredential } from "./secrets";
import { loadGrants, loadKnownGroups, loadMappings, loadMembers } from "./state";
import { emptyCounts, syncView, type SyncView } from "./sync-view";

export interface SyncOptions {
  trigger: "schedule" | "manual" | "confirm";
  instance: string;
  retry?: RetryPolicy;
  /** Confirming a held sync: apply if it removes/suspends no more than what was reviewed. */
  approved?: { wouldRemove: number; wouldSuspend: number; heldSyncId: string };
}

async function readDirectory(deps: Deps, d: Directory, retry?: RetryPolicy): Promise<Snapshot> {
  const cred = openCredential(deps.config.encryptionKey, d.id, d.secretEncrypted);
  const now = deps.clock.now().getTime();
  let token: string;
  if (cred.kind === "service_account") token = await serviceAccountToken(cred.key, d.config.adminEmail, now, deps.httpsAgent);
  else {
    const g = deps.config.googleOAuth;
    if (!g) throw new OAuthNotConfiguredError();
    token = await refreshTokenToken(g.tokenUrl, g, cred.refreshToken, deps.httpsAgent);
  }
  const api = new DirectoryApi({ apiRoot: d.config.apiRoot ?? GOOGLE_API_ROOT, token, agent: deps.httpsAgent, retry });
  return readSnapshot(api, { orgUnits: d.config.orgUnits, groups: d.config.groups });
}

function countsOf(snap: Snapshot, plan: Plan, refused: number): DirectorySyncCounts {
  const c = emptyCounts();
  const updated = new Set([...plan.adopt.map((a) => a.membershipId), ...plan.attributes.map((a) => a.id), ...plan.roles.map((r) => r.id),
    ...plan.grants.filter((g) => !g.id.startsWith("user:")).map((g) => g.id)]);
  c.users = { seen: snap.users.length, created: plan.create.length + plan.pending.length, updated: updated.size, suspended: plan.suspend.length, restored: plan.restore.length,
    removed: Math.max(0, plan.remove.length - refused), unchanged: plan.unchanged, skipped: plan.skipped.length };
  c.groups = { seen: snap.groups.length, created: plan.groups.created, updated: plan.groups.updated, removed: plan.groups.remove.length };
  return c;
}

async function finish(tx: EntityManager, sync: DirectorySync, patch: Partial<DirectorySync>, now: Date): Promise<DirectorySync> {
  Object.assign(sync, patch, { finishedAt: now });
  await tx.getRepository(DirectorySync).update({ id: sync.id }, { ...patch, finishedAt: now } as never);
  await tx.getRepository(Directory).update({ id: sync.directoryId }, { lastSyncId: sync.id });
  return sync;
}

async function emailOwners(deps: Deps, tx: EntityManager, org: Organization, reason: string): Promise<void> {
  const owners = await tx.getRepository(Membership).find({ where: { orgId: org.id, role: "owner", status: "active" } });
  const users = owners.length ? await tx.getRepository(User).createQueryBuilder("u").whereInIds(owners.map((o) => o.userId)).getMany() : [];
  for (const u of users) await deps.outbox.enqueue(tx, org.id, u.email, syncHeldEmail({ orgName: org.name, reason, link: `${deps.config.baseUrl}/app/sso?org=${org.id}` }));
}

async function previousHeld(tx: EntityManager, dirId: string, sync: DirectorySync): Promise<DirectorySync | null> {
  return tx.getRepository(DirectorySync).createQueryBuilder("s")
    .where("s.directory_id = :d AND s.id <> :id AND s.status = 'held'", { d: dirId, id: sync.id }).orderBy("s.started_at", "DESC").getOne();
}

/** Decide and write, all in one transaction; returns the finished record. */
async function decideAndApply(deps: Deps, ctx: Ctx, d: Directory, sync: DirectorySync, snap: Snapshot, opts: SyncOptions): Promise<DirectorySync> {
  return deps.ds.transaction(async (tx) => {
    const org = await lockOrg(tx, d.orgId);
    const now = () => deps.clock.now();
    if (!(await stillHolds(tx, d.id, opts.instance))) return finish(tx, sync, { status: "failed", errorCode: "directory.lease_lost", error: "Another Roster instance took over this sync; nothing was applied here." }, now());
    if (org.plan !== "enterprise") return finish(tx, sync, { status: "failed", errorCode: "plan.enterprise_required", error: "Google Workspace provisioning needs the Enterprise plan; nothing was applied." }, now());
    const members = await loadMembers(tx, org.id, d.id);
    // Only an Owner (or the operator) connects a directory, so its authority over Owners is the org's switch.
    const ownerAuthority = credentialMayManageOwners(org, "owner");
    ctx = { ...ctx, idpOwnerAuthority: ownerAuthority };
    const plan = planSync({ ownerAuthority,
      users: snap.users, groups: snap.groups, accounts: await accountsFor(tx, org.id, snap.users.map((u) => u.email)), members,
      mappings: await loadMappings(tx, org.id), grants: await loadGrants(tx, org.id), knownGroups: await loadKnownGroups(tx, d.id),
    });
    const managed = members.filter((m) => m.managed).length;
    const reason = holdReason(plan, managed);
    const a = opts.approved;
    const approved = a && plan.remove.length <= a.wouldRemove && plan.suspend.length <= a.wouldSuspend;
    const skipped = plan.skipped.slice(0, 100);
    if (reason && !approved) {
      const held = { reason, wouldRemove: plan.remove.length, wouldSuspend: plan.suspend.length };
      const prev = await previousHeld(tx, d.id, sync);
      await recordAudit(tx, ctx, { orgId: org.id, action: "directory.sync_held", target: { type: "directory", id: d.id, name: "google" }, metadata: { syncId: sync.id, ...held } });
      if (!prev || prev.held?.wouldRemove !== held.wouldRemove || prev.held?.wouldSuspend !== held.wouldSuspend) await emailOwners(deps, tx, org, reason);
      return finish(tx, sync, { status: "held", held, counts: countsOf(snap, { ...plan, create: [], pending: [], adopt: [], attributes: [], roles: [], grants: [], remove: [], suspend: [], restore: [] }, 0), skipped }, now());
    }
    const refused = await applyPlan(deps, tx, ctx, org, d, plan);
    await auditRefusals(tx, ctx, org.id, plan.ownersKept, "member.idp_owner_refused");
    const counts = countsOf(snap, plan, refused.length);
    if (a) await tx.getRepository(DirectorySync).update({ id: a.heldSyncId }, { status: "confirmed" });
    await recordAudit(tx, ctx, { orgId: org.id, action: "directory.synced", target: { type: "directory", id: d.id, name: "google" },
      metadata: { syncId: sync.id, trigger: opts.trigger, users: counts.users, groups: counts.groups, refused: refused.length + plan.ownersKept.length } });
    return finish(tx, sync, { status: "applied", counts, skipped, refused: [
      ...plan.ownersKept.map((memberId) => ({ memberId, reason: "member.idp_owner_refused" })),
      ...refused.map((memberId) => ({ memberId, reason: "member.last_owner" }))] }, now());
  });
}

async function recordFailure(deps: Deps, ctx: Ctx, d: Directory, sync: DirectorySync, err: unknown): Promise<DirectorySync> {
  const known = err instanceof DirectoryReadError || err instanceof OAuthNotConfiguredError;
  const code = known ? (err as { code: string }).code : "directory.internal";
  const message = known ? (err as Error).message : "The sync failed inside Roster; nothing was applied. It will be retried.";
  if (!known) deps.logger.error({ err, directoryId: d.id }, "directory sync failed");
  return deps.ds.transaction(async (tx) => {
    await recordAudit(tx, ctx, { orgId: d.orgId, action: "directory.sync_failed", target: { type: "directory", id: d.id, name: "google" }, metadata: { syncId: sync.id, code, error: message } });
    return finish(tx, sync, { status: "failed", errorCode: code, error: `${message} Nothing was applied.` }, deps.clock.now());
  });
}

/** Runs one sync now, synchronously; throws SyncRunningError when another run holds the lease. */
export async function runSync(deps: Deps, ctx: Ctx, directoryId: string, opts: SyncOptions, orgId?: string): Promise<SyncView> {
  const d = await findDirectory(deps, directoryId, orgId);
  if (!(await claimLease(deps.ds, d.id, opts.instance, deps.clock.now()))) throw new SyncRunningError();
  const heartbeat = setInterval(() => void renewLease(deps.ds, d.id, opts.instance, deps.clock.now()).catch(() => undefined), LEASE_MS / 4);
  heartbeat.unref();
  try {
    await deps.ds.query(`UPDATE directory_syncs SET status = 'failed', error_code = 'directory.interrupted', finished_at = $2,
      error = 'The Roster instance running this sync stopped before finishing; nothing from it was applied. Retried.' WHERE directory_id = $1 AND status = 'running'`, [d.id, deps.clock.now()]);
    const repo = deps.ds.getRepository(DirectorySync);
    const sync = await repo.save(repo.create({ directoryId: d.id, orgId: d.orgId, status: "running", trigger: opts.trigger, counts: null, errorCode: null, error: null, held: null, skipped: [], refused: [], startedAt: deps.clock.now(), finishedAt: null }));
    let snap: Snapshot;
    try {
      snap = await readDirectory(deps, d, opts.retry);
    } catch (err) {
      return syncView(await recordFailure(deps, ctx, d, sync, err));
    }
    try {
      return syncView(await decideAndApply(deps, ctx, d, sync, snap, opts));
    } catch (err) {
      return syncView(await recordFailure(deps, ctx, d, sync, err));
    }
  } finally {
    clearInterval(heartbeat);
    await releaseLease(deps.ds, d.id, opts.instance, new Date(deps.clock.now().getTime() + d.intervalMinutes * 60_000));
  }
}

/** Applies a held sync after review: re-reads Google and applies, unless it now removes or suspends more. */
export async function confirmHeld(deps: Deps, ctx: Ctx, directoryId: string, instance: string, orgId?: string, retry?: RetryPolicy): Promise<SyncView> {
  const d = await findDirectory(deps, directoryId, orgId);
  const held = d.lastSyncId ? await deps.ds.getRepository(DirectorySync).findOneBy({ id: d.lastSyncId }) : null;
  if (!held || held.status !== "held" || !held.held) throw new NothingHeldError();
  return runSync(deps, ctx, d.id, { trigger: "confirm", instance, retry, approved: { wouldRemove: held.held.wouldRemove, wouldSuspend: held.held.wouldSuspend, heldSyncId: held.id } }, orgId);
}

export async function discardHeld(deps: Deps, ctx: Ctx, directoryId: string, orgId?: string): Promise<SyncView> {
  const d = await findDirectory(deps, directoryId, orgId);
  return deps.ds.transaction(async (tx) => {
    const held = d.lastSyncId ? await tx.getRepository(DirectorySync).findOneBy({ id: d.lastSyncId }) : null;
    if (!held || held.status !== "held") throw new NothingHeldError();
    await tx.getRepository(DirectorySync).update({ id: held.id }, { status: "discarded" });
    await recordAudit(tx, ctx, { orgId: d.orgId, action: "directory.sync_discarded", target: { type: "directory", id: d.id, name: "google" }, metadata: { syncId: held.id } });
    return syncView({ ...held, status: "discarded" });
  });
}
