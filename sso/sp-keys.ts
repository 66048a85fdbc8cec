/**
 * Each SAML connection's own AuthnRequest signing key pair (Keycloak and AD FS require signed
 * requests by default). The private key is encrypted at rest like client secrets (secrets.ts),
 * bound to its connection and key id; the certificate goes into the SP metadata.
 *
 * Rotation without downtime: `publishNextKey` adds a second certificate to the metadata (the IdP
 * can import it, or re-read the metadata URL, while the old key still signs); `activateNextKey`
 * then makes it the signing key and drops the old one.
 */
import { generateKeyPairSync, randomUUID, X509Certificate } from "node:crypto";
import type { EntityManager } from "typeorm";
import { generate } from "selfsigned";
import { SsoConnection, SsoSpKey } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { ConflictError, NotFoundError } from "../src/errors";
import { isUuid } from "../src/http/validate";
import { decryptSecret, encryptSecret } from "./secrets";

const VALID_DAYS = 5 * 365;

export interface SpKeyView {
  id: string;
  status: "active" | "next";
  fingerprintSha256: string;
  notAfter: string;
  createdAt: string;
  certificate: string;
}

const aad = (connectionId: string, keyId: string) => `${connectionId}/sp-key/${keyId}`;

async function newKeyRow(deps: Deps, connectionId: string, status: "active" | "next"): Promise<Partial<SsoSpKey>> {
  const id = randomUUID();
  const keyPair = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const notAfterDate = new Date(deps.clock.now().getTime() + VALID_DAYS * 86_400_000);
  const pems = await generate([{ name: "commonName", value: `Roster SSO ${connectionId}` }], { algorithm: "sha256", notAfterDate, keyPair } as never);
  return { id, connectionId, status, certificate: pems.cert, notAfter: new Date(new X509Certificate(pems.cert).validTo),
    privateKeyEncrypted: encryptSecret(deps.config.encryptionKey, aad(connectionId, id), pems.private) };
}

/** The signing key, created on first use (connections made before keys existed get one lazily). */
export async function ensureActiveKey(deps: Deps, connectionId: string): Promise<SsoSpKey> {
  const repo = deps.ds.getRepository(SsoSpKey);
  const found = await repo.findOneBy({ connectionId, status: "active" });
  if (found) return found;
  const row = await newKeyRow(deps, connectionId, "active");
  // Two first requests may race: the unique (connection_id, status) keeps exactly one.
  await repo.createQueryBuilder().insert().values(row).orIgnore().execute();
  return repo.findOneByOrFail({ connectionId, status: "active" });
}

export async function signingKeyPem(deps: Deps, key: SsoSpKey): Promise<string> {
  return decryptSecret(deps.config.encryptionKey, aad(key.connectionId, key.id), key.privateKeyEncrypted);
}

/** Certificates to publish in the SP metadata: the active one, then the next one if published. */
export async function publishedCertificates(deps: Deps, connectionId: string): Promise<string[]> {
  const active = await ensureActiveKey(deps, connectionId);
  const next = await deps.ds.getRepository(SsoSpKey).findOneBy({ connectionId, status: "next" });
  return [active.certificate, ...(next ? [next.certificate] : [])];
}

export function spKeyView(k: SsoSpKey): SpKeyView {
  return { id: k.id, status: k.status, fingerprintSha256: new X509Certificate(k.certificate).fingerprint256, notAfter: new Date(k.notAfter).toISOString(),
    createdAt: new Date(k.createdAt).toISOString(), certificate: k.certificate };
}

export async function listSpKeys(deps: Deps, connectionId: string): Promise<SpKeyView[]> {
  await ensureActiveKey(deps, connectionId);
  const rows = await deps.ds.getRepository(SsoSpKey).find({ where: { connectionId }, order: { status: "ASC" } });
  return rows.map(spKeyView);
}

async function lockedSaml(tx: EntityManager, orgId: string, id: string): Promise<SsoConnection> {
  const c = isUuid(id) ? await tx.getRepository(SsoConnection).findOne({ where: { id, orgId, kind: "saml" }, lock: { mode: "pessimistic_write" } }) : null;
  if (!c) throw new NotFoundError("SSO connection", "sso_connection.not_found");
  return c;
}

export async function publishNextKey(deps: Deps, ctx: Ctx, orgId: string, id: string): Promise<SpKeyView[]> {
  await ensureActiveKey(deps, id).catch(() => undefined);
  const row = await newKeyRow(deps, id, "next");
  await deps.ds.transaction(async (tx) => {
    const c = await lockedSaml(tx, orgId, id);
    if (await tx.getRepository(SsoSpKey).findOneBy({ connectionId: id, status: "next" })) {
      throw new ConflictError("sso.sp_key_next_exists", "A new signing certificate is already published: switch to it, or wait.");
    }
    await tx.getRepository(SsoSpKey).insert(row);
    await recordAudit(tx, ctx, { orgId, action: "sso_connection.sp_key_published", target: { type: "sso_connection", id: c.id, name: c.name || c.kind },
      metadata: { keyId: row.id } });
  });
  return listSpKeys(deps, id);
}

export async function activateNextKey(deps: Deps, ctx: Ctx, orgId: string, id: string): Promise<SpKeyView[]> {
  await deps.ds.transaction(async (tx) => {
    const c = await lockedSaml(tx, orgId, id);
    const repo = tx.getRepository(SsoSpKey);
    const next = await repo.findOneBy({ connectionId: id, status: "next" });
    if (!next) throw new ConflictError("sso.sp_key_no_next", "Publish a new signing certificate first, and let your identity provider import it.");
    await repo.delete({ connectionId: id, status: "active" });
    await repo.update({ id: next.id }, { status: "active" });
    await recordAudit(tx, ctx, { orgId, action: "sso_connection.sp_key_activated", target: { type: "sso_connection", id: c.id, name: c.name || c.kind },
      metadata: { keyId: next.id } });
  });
  return listSpKeys(deps, id);
}
