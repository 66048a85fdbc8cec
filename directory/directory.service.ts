/**
 * Directory connections of an org (Google Workspace): create with a service-account key, list,
 * read, change, delete. Enterprise only. The credential is encrypted at rest and never leaves
 * this feature: views say which credential is set, never its content.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Directory, DirectorySync, type DirectoryConfig } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { NotFoundError, ValidationError } from "../src/errors";
import { isUuid, parse } from "../src/http/validate";
import { emailSchema } from "../src/accounts/email-address";
import { getOrg, requireEnterprise } from "../src/orgs/org.service";
import { isUniqueViolation } from "../src/db/pg-errors";
import { DirectoryExistsError } from "./errors";
import { sealCredential, type StoredCredential } from "./secrets";
import { syncView, type SyncView } from "./sync-view";

export const GOOGLE_API_ROOT = "https://admin.googleapis.com";

const httpsUrl = z.url({ protocol: /^https$/, message: "must be an https URL" }).max(2048);
const keySchema = z.object({
  type: z.literal("service_account", { message: "must be a Google service-account key (type service_account)" }),
  client_email: z.email(), private_key: z.string().includes("PRIVATE KEY", { message: "must be a PEM private key" }).max(10_000),
  private_key_id: z.string().max(100).optional(), token_uri: httpsUrl.optional(),
}).loose();
const orgUnit = z.string().trim().regex(/^\/[^']*$/, "must be an org unit path such as /Sales").max(500);
const scopeFields = {
  apiRoot: httpsUrl.optional(),
  orgUnits: z.array(orgUnit).max(50).optional(),
  groups: z.array(z.email()).max(50).optional(),
  intervalMinutes: z.number().int().min(1).max(1440).optional(),
};
const createSchema = z.object({
  type: z.literal("google"),
  serviceAccountKey: z.union([z.string().max(20_000), z.record(z.string(), z.unknown())]),
  adminEmail: emailSchema,
  ...scopeFields,
}).strict();
const patchSchema = z.object({ adminEmail: emailSchema.optional(), ...scopeFields }).strict();

export interface DirectoryView {
  id: string; orgId: string; type: "google"; status: "active" | "held" | "error" | "syncing";
  credential: DirectoryConfig["credential"]; adminEmail: string; serviceAccountEmail: string | null; apiRoot: string;
  orgUnits: string[]; groups: string[]; intervalMinutes: number; nextSyncAt: Date; lastSync: SyncView | null; createdAt: Date;
}

export function directoryView(d: Directory, last: DirectorySync | null, now: Date): DirectoryView {
  const running = d.leaseExpiresAt !== null && d.leaseExpiresAt > now;
  const status = running ? "syncing" : last?.status === "held" ? "held" : last?.status === "failed" ? "error" : "active";
  return {
    id: d.id, orgId: d.orgId, type: d.type, status, credential: d.config.credential, adminEmail: d.config.adminEmail,
    serviceAccountEmail: d.config.serviceAccountEmail ?? null, apiRoot: d.config.apiRoot ?? GOOGLE_API_ROOT,
    orgUnits: d.config.orgUnits, groups: d.config.groups, intervalMinutes: d.intervalMinutes, nextSyncAt: d.nextSyncAt,
    lastSync: last ? syncView(last) : null, createdAt: d.createdAt,
  };
}

function parseKey(raw: string | Record<string, unknown>): z.infer<typeof keySchema> {
  let obj: unknown = raw;
  if (typeof raw === "string") {
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new ValidationError([{ field: "serviceAccountKey", message: "is not JSON: give the key file Google issued" }]);
    }
  }
  const r = keySchema.safeParse(obj);
  if (!r.success) throw new ValidationError(r.error.issues.map((i) => ({ field: ["serviceAccountKey", ...i.path].join("."), message: i.message })));
  return r.data;
}

async function lastSyncOf(deps: Deps, d: Directory): Promise<DirectorySync | null> {
  return d.lastSyncId ? deps.ds.getRepository(DirectorySync).findOneBy({ id: d.lastSyncId }) : null;
}

/** Creates a Google directory from a service-account key (the OAuth path is oauth.ts). */
export async function createDirectory(deps: Deps, ctx: Ctx, orgId: string, body: unknown): Promise<DirectoryView> {
  const input = parse(createSchema, body);
  const key = parseKey(input.serviceAccountKey);
  const credential: StoredCredential = { kind: "service_account", key: { client_email: key.client_email, private_key: key.private_key, private_key_id: key.private_key_id, token_uri: key.token_uri } };
  return insertDirectory(deps, ctx, orgId, {
    credential: "service_account", adminEmail: input.adminEmail.toLowerCase(), serviceAccountEmail: key.client_email,
    privateKeyId: key.private_key_id, tokenUri: key.token_uri, apiRoot: input.apiRoot, orgUnits: input.orgUnits ?? [], groups: (input.groups ?? []).map((g) => g.toLowerCase()),
  }, credential, input.intervalMinutes ?? 15);
}

export async function insertDirectory(deps: Deps, ctx: Ctx, orgId: string, config: DirectoryConfig, credential: StoredCredential, intervalMinutes: number): Promise<DirectoryView> {
  try {
    const row = await deps.ds.transaction(async (tx) => {
      requireEnterprise(await getOrg(tx, orgId), "Google Workspace provisioning");
      const id = randomUUID();
      const repo = tx.getRepository(Directory);
      await repo.insert({ id, orgId, type: "google", config, secretEncrypted: sealCredential(deps.config.encryptionKey, id, credential), intervalMinutes, nextSyncAt: deps.clock.now() });
      await recordAudit(tx, ctx, { orgId, action: "directory.created", target: { type: "directory", id, name: "google" },
        metadata: { credential: config.credential, adminEmail: config.adminEmail, serviceAccountEmail: config.serviceAccountEmail ?? null, orgUnits: config.orgUnits, groups: config.groups, intervalMinutes } });
      return repo.findOneByOrFail({ id });
    });
    return directoryView(row, null, deps.clock.now());
  } catch (err) {
    if (isUniqueViolation(err)) throw new DirectoryExistsError();
    throw err;
  }
}

export async function findDirectory(deps: Deps, id: string, orgId?: string): Promise<Directory> {
  const d = isUuid(id) ? await deps.ds.getRepository(Directory).findOneBy(orgId ? { id, orgId } : { id }) : null;
  if (!d) throw new NotFoundError("Directory");
  return d;
}

export async function listDirectories(deps: Deps, orgId: string): Promise<DirectoryView[]> {
  await getOrg(deps.ds.manager, orgId);
  const rows = await deps.ds.getRepository(Directory).find({ where: { orgId }, order: { createdAt: "ASC" } });
  return Promise.all(rows.map(async (d) => directoryView(d, await lastSyncOf(deps, d), deps.clock.now())));
}

export async function getDirectory(deps: Deps, id: string, orgId?: string): Promise<DirectoryView> {
  const d = await findDirectory(deps, id, orgId);
  return directoryView(d, await lastSyncOf(deps, d), deps.clock.now());
}

export async function updateDirectory(deps: Deps, ctx: Ctx, orgId: string, id: string, body: unknown): Promise<DirectoryView> {
  const input = parse(patchSchema, body);
  await deps.ds.transaction(async (tx) => {
    const d = await tx.getRepository(Directory).findOne({ where: { id, orgId }, lock: { mode: "pessimistic_write" } });
    if (!d) throw new NotFoundError("Directory");
    const config: DirectoryConfig = { ...d.config, ...(input.adminEmail ? { adminEmail: input.adminEmail.toLowerCase() } : {}),
      ...(input.apiRoot ? { apiRoot: input.apiRoot } : {}), ...(input.orgUnits ? { orgUnits: input.orgUnits } : {}),
      ...(input.groups ? { groups: input.groups.map((g) => g.toLowerCase()) } : {}) };
    await tx.getRepository(Directory).update({ id }, { config, intervalMinutes: input.intervalMinutes ?? d.intervalMinutes });
    await recordAudit(tx, ctx, { orgId, action: "directory.updated", target: { type: "directory", id, name: "google" }, metadata: { changed: Object.keys(input) } });
  });
  return getDirectory(deps, id, orgId);
}

/** Deletes the connection; members it created stay (now manual), nobody is removed. */
export async function deleteDirectory(deps: Deps, ctx: Ctx, id: string, orgId?: string): Promise<void> {
  await deps.ds.transaction(async (tx) => {
    const d = isUuid(id) ? await tx.getRepository(Directory).findOne({ where: orgId ? { id, orgId } : { id }, lock: { mode: "pessimistic_write" } }) : null;
    if (!d) throw new NotFoundError("Directory");
    await tx.getRepository(Directory).delete({ id: d.id });
    await recordAudit(tx, ctx, { orgId: d.orgId, action: "directory.deleted", target: { type: "directory", id: d.id, name: "google" } });
  });
}

export async function listSyncs(deps: Deps, orgId: string, id: string, limit = 50): Promise<SyncView[]> {
  const d = await findDirectory(deps, id, orgId);
  const rows = await deps.ds.getRepository(DirectorySync).find({ where: { directoryId: d.id }, order: { startedAt: "DESC" }, take: limit });
  return rows.map(syncView);
}
