/**
 * "Google's own domain list can verify them when the admin asks": the org's domains that are
 * added but not yet verified become verified when the connected Workspace lists them as verified
 * (Google proves control of a domain per customer, and one domain belongs to one customer). Only
 * domains the org added itself are considered; none is added here, and a domain verified by
 * another Roster org stays refused (markVerified's unique index).
 */
import { OrgDomain } from "../entities";
import type { Ctx, Deps } from "../src/context";
import { markVerified, type DomainView } from "../sso/domains.service";
import { findDirectory, GOOGLE_API_ROOT } from "./directory.service";
import { DirectoryApi } from "./google/api";
import { refreshTokenToken, serviceAccountToken } from "./google/token";
import { openCredential } from "./secrets";
import { DirectoryReadError, OAuthNotConfiguredError } from "./errors";
import { AppError } from "../src/errors";

export async function verifyDomainsFromGoogle(deps: Deps, ctx: Ctx, orgId: string, directoryId: string): Promise<{ verified: DomainView[]; notListed: string[] }> {
  const d = await findDirectory(deps, directoryId, orgId);
  const cred = openCredential(deps.config.encryptionKey, d.id, d.secretEncrypted);
  const g = deps.config.googleOAuth;
  if (cred.kind === "oauth" && !g) throw new OAuthNotConfiguredError();
  const token = await (cred.kind === "service_account" ? serviceAccountToken(cred.key, d.config.adminEmail, deps.clock.now().getTime(), deps.httpsAgent)
    : refreshTokenToken(g!.tokenUrl, g!, cred.refreshToken, deps.httpsAgent)).catch((err) => {
    throw err instanceof DirectoryReadError ? new AppError(err.code, 424, err.message) : err;
  });
  const api = new DirectoryApi({ apiRoot: d.config.apiRoot ?? GOOGLE_API_ROOT, token, agent: deps.httpsAgent });
  let body: Record<string, unknown>;
  try {
    body = await api.get("/customer/my_customer/domains", {});
  } catch (err) {
    if (err instanceof DirectoryReadError) throw new AppError(err.code, 424, err.message);
    throw err;
  }
  const listed = new Set(((body.domains ?? []) as Array<{ domainName?: string; verified?: boolean }>)
    .filter((x) => x.verified === true && typeof x.domainName === "string").map((x) => x.domainName!.toLowerCase()));
  const pending = (await deps.ds.getRepository(OrgDomain).findBy({ orgId })).filter((x) => !x.verifiedAt);
  const verified: DomainView[] = [];
  for (const p of pending.filter((x) => listed.has(x.domain))) verified.push(await markVerified(deps, ctx, orgId, p.id, "google_workspace"));
  return { verified, notListed: pending.filter((x) => !listed.has(x.domain)).map((x) => x.domain) };
}
