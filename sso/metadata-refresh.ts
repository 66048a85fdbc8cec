/**
 * IdP metadata by URL, kept fresh so an IdP certificate rotation needs no admin action:
 *  - refreshed daily (runSsoMaintenance, started by the server), and after a failed signature
 *    check at the ACS, at most once an hour per connection (the claim on metadata_checked_at is
 *    one conditional UPDATE, so concurrent failures fetch once);
 *  - a failed fetch or unusable document keeps the last good certificates and records the
 *    reason in words (shown as a warning in settings);
 *  - IdP certificates expiring within 30 days are emailed to the org's Owners once per
 *    certificate (fingerprints remembered in cert_expiry_notified).
 */
import { Membership, SsoConnection, User } from "../entities";
import type { Deps } from "../src/context";
import { SYSTEM_CTX } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { ValidationError } from "../src/errors";
import { describeCertificate } from "./certificates";
import { samlSettings, type SamlSettings } from "./connection-config";
import { fetchMetadata, MetadataFetchError } from "./metadata-fetch";
import { parseIdpMetadata, type IdpMetadata } from "./saml-metadata";
import { certificateExpiryEmail } from "./sso-emails";

export const DAILY_MS = 24 * 3600_000;
export const ON_FAILURE_MIN_INTERVAL_MS = 3600_000;

/** For create/update: the metadata behind `idpMetadataUrl`, or a field error in words. */
export async function fetchIdpMetadata(deps: Deps, url: string): Promise<IdpMetadata> {
  try {
    return parseIdpMetadata(await fetchMetadata(url, { allowPrivate: deps.config.ssoAllowInsecureLoopbackIssuers }));
  } catch (err) {
    if (err instanceof MetadataFetchError) throw new ValidationError([{ field: "idpMetadataUrl", message: `could not be fetched: ${err.message}` }]);
    if (err instanceof ValidationError) throw new ValidationError([{ field: "idpMetadataUrl", message: `does not serve usable SAML metadata: ${err.fields[0]?.message ?? "invalid"}` }]);
    throw err;
  }
}

/**
 * metadata_checked_at is the last refresh after a failed signature check, or the last failed
 * fetch: both wait an hour before the next try. Successful daily or manual fetches leave it, so
 * a rotation right after a daily fetch is still picked up at the first failed sign-in.
 */
async function claim(deps: Deps, id: string, minIntervalMs: number): Promise<boolean> {
  const now = deps.clock.now();
  const [rows] = await deps.ds.query(
    `UPDATE sso_connections SET metadata_checked_at = $2 WHERE id = $1 AND (metadata_checked_at IS NULL OR metadata_checked_at <= $3) RETURNING id`,
    [id, now, new Date(now.getTime() - minIntervalMs)]) as [unknown[], number];
  return Array.isArray(rows) && rows.length > 0;
}

export type RefreshReason = "daily" | "signature_failed" | "manual";

/** Fetches and applies the metadata; never throws for IdP-side problems (they become metadata_error). */
export async function refreshMetadata(deps: Deps, id: string, reason: RefreshReason): Promise<{ refreshed: boolean; error?: string; changed?: boolean }> {
  const conn = await deps.ds.getRepository(SsoConnection).findOneBy({ id, kind: "saml" });
  const url = conn ? samlSettings(conn).idpMetadataUrl : undefined;
  if (!conn || !url) return { refreshed: false };
  if (reason === "signature_failed" && !(await claim(deps, id, ON_FAILURE_MIN_INTERVAL_MS))) return { refreshed: false };
  let meta: IdpMetadata;
  try {
    meta = await fetchIdpMetadata(deps, url);
  } catch (err) {
    const error = err instanceof ValidationError ? `${url} ${err.fields[0]?.message ?? "is not usable"}` : "the metadata could not be read";
    await deps.ds.getRepository(SsoConnection).update({ id }, { metadataError: error.slice(0, 500), metadataCheckedAt: deps.clock.now() });
    deps.logger.warn({ connectionId: id, reason, error }, "sso metadata refresh failed; keeping the last good certificates");
    return { refreshed: false, error };
  }
  return deps.ds.transaction(async (tx) => {
    const row = await tx.getRepository(SsoConnection).findOne({ where: { id }, lock: { mode: "pessimistic_write" } });
    if (!row) return { refreshed: false };
    const before = samlSettings(row);
    const next: SamlSettings = { ...before, idpEntityId: meta.idpEntityId, idpSsoUrl: meta.idpSsoUrl, idpCerts: meta.idpCerts.slice(0, 4) };
    const changed = JSON.stringify([before.idpEntityId, before.idpSsoUrl, before.idpCerts]) !== JSON.stringify([next.idpEntityId, next.idpSsoUrl, next.idpCerts]);
    await tx.getRepository(SsoConnection).update({ id }, { config: next as never, metadataFetchedAt: deps.clock.now(), metadataError: null });
    if (changed) {
      await recordAudit(tx, SYSTEM_CTX, { orgId: row.orgId, action: "sso_connection.metadata_refreshed", target: { type: "sso_connection", id, name: row.name || row.kind },
        metadata: { reason, idpCertCount: next.idpCerts.length, idpEntityIdChanged: before.idpEntityId !== next.idpEntityId } });
    }
    return { refreshed: true, changed };
  });
}

/** Connections whose metadata URL was not fetched for a day (and not tried within the hour). */
export async function refreshDueMetadata(deps: Deps): Promise<number> {
  const now = deps.clock.now().getTime();
  const rows: Array<{ id: string }> = await deps.ds.query(
    `SELECT id FROM sso_connections WHERE kind = 'saml' AND coalesce(config ->> 'idpMetadataUrl', '') <> ''
        AND (metadata_fetched_at IS NULL OR metadata_fetched_at <= $1) AND (metadata_checked_at IS NULL OR metadata_checked_at <= $2)`,
    [new Date(now - DAILY_MS), new Date(now - ON_FAILURE_MIN_INTERVAL_MS)]);
  let n = 0;
  for (const r of rows) if ((await refreshMetadata(deps, r.id, "daily")).refreshed) n++;
  return n;
}

/** Emails every active Owner once per IdP certificate that expires within 30 days (or has expired). */
export async function notifyExpiringCertificates(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const conns = await deps.ds.getRepository(SsoConnection).findBy({ kind: "saml" });
  let sent = 0;
  for (const c of conns) {
    const expiring = samlSettings(c).idpCerts.map((p) => describeCertificate(p, now))
      .filter((i) => i.expiresSoon && !(c.certExpiryNotified ?? []).includes(i.fingerprintSha256));
    if (expiring.length === 0) continue;
    await deps.ds.transaction(async (tx) => {
      const row = await tx.getRepository(SsoConnection).findOne({ where: { id: c.id }, lock: { mode: "pessimistic_write" } });
      const fresh = expiring.filter((i) => !(row?.certExpiryNotified ?? []).includes(i.fingerprintSha256));
      if (!row || fresh.length === 0) return;
      const owners = await tx.getRepository(User).createQueryBuilder("u")
        .innerJoin(Membership, "m", "m.userId = u.id AND m.orgId = :orgId AND m.role = 'owner' AND m.status = 'active'", { orgId: row.orgId }).getMany();
      const org = await tx.query(`SELECT name FROM organizations WHERE id = $1`, [row.orgId]);
      for (const o of owners) {
        await deps.outbox.enqueue(tx, row.orgId, o.email, certificateExpiryEmail({ orgName: org[0]?.name ?? "", connectionName: row.name || "SAML connection",
          certificates: fresh, settingsUrl: `${deps.config.baseUrl}/orgs/${row.orgId}/settings/sso` }));
        sent++;
      }
      await tx.getRepository(SsoConnection).update({ id: row.id }, { certExpiryNotified: [...(row.certExpiryNotified ?? []), ...fresh.map((i) => i.fingerprintSha256)] });
    });
  }
  return sent;
}

export async function runSsoMaintenance(deps: Deps): Promise<void> {
  await refreshDueMetadata(deps);
  await notifyExpiringCertificates(deps);
}

/** Started by the server: a sweep every 10 minutes (each connection is fetched at most daily). */
export function startSsoMaintenance(deps: Deps, everyMs = 10 * 60_000): () => void {
  const run = () => runSsoMaintenance(deps).catch((err) => deps.logger.error({ err }, "sso maintenance failed"));
  const first = setTimeout(run, 5_000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
