/**
 * An org's email domains. A domain drives SSO discovery and account linking only once it is
 * verified: by a DNS TXT record checked on demand (`_roster-verification.<domain>` containing
 * `roster-verification=<token>`), or by an operator through the CLI. A domain can be verified
 * by one org only (partial unique index), so two orgs can never both claim example.com.
 */
import { randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { domainToASCII } from "node:url";
import type { EntityManager } from "typeorm";
import { OrgDomain } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { recordAudit } from "../src/audit/audit-log";
import { constraintOf, isUniqueViolation } from "../src/db/pg-errors";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../src/errors";
import { isUuid } from "../src/http/validate";
import { getOrg, requireEnterprise } from "../src/orgs/org.service";

export const TXT_PREFIX = "roster-verification=";
export const txtName = (domain: string) => `_roster-verification.${domain}`;

/** Shared mailbox providers: nobody's IdP is authoritative for them, so they cannot be claimed. */
const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
  "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net",
  "mail.com", "yandex.ru", "yandex.com", "zoho.com", "web.de", "qq.com", "163.com",
]);

export interface DomainView {
  id: string;
  domain: string;
  verified: boolean;
  verifiedAt: Date | null;
  createdAt: Date;
  verification: { type: "TXT"; name: string; value: string };
}

export function domainView(d: OrgDomain): DomainView {
  return {
    id: d.id, domain: d.domain, verified: !!d.verifiedAt, verifiedAt: d.verifiedAt, createdAt: d.createdAt,
    verification: { type: "TXT", name: txtName(d.domain), value: TXT_PREFIX + d.verificationToken },
  };
}

export function normalizeDomain(input: string): string {
  const ascii = domainToASCII(input.trim().toLowerCase().replace(/\.$/, ""));
  const ok = ascii.length <= 253 && /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(ascii);
  if (!ok) throw new ValidationError([{ field: "domain", message: "must be a domain name such as example.com" }]);
  if (PUBLIC_MAIL_DOMAINS.has(ascii)) throw new ValidationError([{ field: "domain", message: "is a public email provider and cannot belong to one organization" }]);
  return ascii;
}

/** One home for domain authority (src/orgs/domain-authority.ts); re-exported for the SSO modules. */
export { emailDomain, isVerifiedDomainOf } from "../src/orgs/domain-authority";

async function enterprise(deps: Deps, orgId: string) {
  requireEnterprise(await getOrg(deps.ds.manager, orgId), "Single sign-on");
}

export async function listDomains(deps: Deps, orgId: string): Promise<DomainView[]> {
  await enterprise(deps, orgId);
  const rows = await deps.ds.getRepository(OrgDomain).find({ where: { orgId }, order: { domain: "ASC" } });
  return rows.map(domainView);
}

const verifiedElsewhere = () => new ConflictError("domain.verified_elsewhere", "This domain is already verified by another organization.");

export async function addDomain(deps: Deps, ctx: Ctx, orgId: string, rawDomain: string, opts: { verified?: boolean } = {}): Promise<DomainView> {
  const domain = normalizeDomain(rawDomain);
  await enterprise(deps, orgId);
  try {
    const row = await deps.ds.transaction(async (tx) => {
      const repo = tx.getRepository(OrgDomain);
      await repo.insert({ orgId, domain, verificationToken: randomBytes(24).toString("base64url"), verifiedAt: opts.verified ? deps.clock.now() : null });
      const d = await repo.findOneByOrFail({ orgId, domain });
      await recordAudit(tx, ctx, { orgId, action: "org_domain.added", target: { type: "org_domain", id: d.id, name: domain }, metadata: { verified: !!opts.verified, ...(opts.verified ? { method: "operator" } : {}) } });
      return d;
    });
    return domainView(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      if (constraintOf(err) === "org_domains_verified_key") throw verifiedElsewhere();
      throw new ConflictError("domain.exists", `${domain} is already added to this organization.`);
    }
    throw err;
  }
}

async function findOwn(tx: EntityManager, orgId: string, id: string): Promise<OrgDomain> {
  const d = isUuid(id) ? await tx.getRepository(OrgDomain).findOneBy({ id, orgId }) : null;
  if (!d) throw new NotFoundError("Domain", "domain.not_found");
  return d;
}

export async function deleteDomain(deps: Deps, ctx: Ctx, orgId: string, id: string): Promise<void> {
  await enterprise(deps, orgId);
  await deps.ds.transaction(async (tx) => {
    const d = await findOwn(tx, orgId, id);
    await tx.getRepository(OrgDomain).delete({ id: d.id });
    await recordAudit(tx, ctx, { orgId, action: "org_domain.removed", target: { type: "org_domain", id: d.id, name: d.domain }, metadata: { wasVerified: !!d.verifiedAt } });
  });
}

export type TxtLookup = (name: string) => Promise<string[][]>;

const dnsLookup: TxtLookup = (name) => new Resolver({ timeout: 3000, tries: 1 }).resolveTxt(name);

/** Checks the TXT record now; marks the domain verified when it is there. */
export async function verifyDomain(deps: Deps, ctx: Ctx, orgId: string, id: string, lookup: TxtLookup = dnsLookup): Promise<DomainView> {
  await enterprise(deps, orgId);
  const d = await findOwn(deps.ds.manager, orgId, id);
  if (d.verifiedAt) return domainView(d);
  let records: string[][] = [];
  try {
    records = await lookup(txtName(d.domain));
  } catch {
    records = [];
  }
  const expected = TXT_PREFIX + d.verificationToken;
  if (!records.some((chunks) => chunks.join("") === expected)) {
    await deps.ds.transaction((tx) => recordAudit(tx, ctx, {
      orgId, action: "org_domain.verification_failed", target: { type: "org_domain", id: d.id, name: d.domain }, metadata: { recordName: txtName(d.domain) },
    }));
    throw new AppError("domain.verification_failed", 422,
      `No TXT record "${expected}" was found at ${txtName(d.domain)}. DNS changes can take a while to appear; try again later.`);
  }
  return markVerified(deps, ctx, orgId, d.id, "dns");
}

export async function markVerified(deps: Deps, ctx: Ctx, orgId: string, id: string, method: "dns" | "operator" | "google_workspace"): Promise<DomainView> {
  try {
    return await deps.ds.transaction(async (tx) => {
      const d = await findOwn(tx, orgId, id);
      if (d.verifiedAt) return domainView(d);
      d.verifiedAt = deps.clock.now();
      await tx.getRepository(OrgDomain).update({ id: d.id }, { verifiedAt: d.verifiedAt });
      await recordAudit(tx, ctx, { orgId, action: "org_domain.verified", target: { type: "org_domain", id: d.id, name: d.domain }, metadata: { method } });
      return domainView(d);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw verifiedElsewhere();
    throw err;
  }
}
