/**
 * Home-realm discovery: which SSO login (if any) serves an email address. One query whatever
 * the answer, and the response is held to a fixed floor so both outcomes take the same time.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Deps } from "../src/context";
import { emailDomain } from "./domains.service";
import { loginPath } from "./urls";

export const DISCOVERY_FLOOR_MS = 120;

export type DiscoveryResult = { sso: true; loginUrl: string } | { sso: false };

export async function discover(deps: Deps, email: string): Promise<DiscoveryResult> {
  const started = performance.now();
  const domain = emailDomain(email.trim().toLowerCase()) ?? "";
  const rows: Array<{ id: string; kind: "saml" | "oidc" }> = await deps.ds.query(
    `SELECT c.id, c.kind FROM org_domains d
       JOIN organizations o ON o.id = d.org_id AND o.plan = 'enterprise'
       JOIN sso_connections c ON c.org_id = d.org_id AND c.enabled
      WHERE d.domain = $1 AND d.verified_at IS NOT NULL
      ORDER BY c.created_at, c.id LIMIT 1`,
    [domain],
  );
  const result: DiscoveryResult = rows[0] ? { sso: true, loginUrl: loginPath(rows[0].kind, rows[0].id) } : { sso: false };
  const wait = DISCOVERY_FLOOR_MS - (performance.now() - started);
  if (wait > 0) await sleep(wait);
  return result;
}
