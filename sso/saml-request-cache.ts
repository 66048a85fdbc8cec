/**
 * node-saml's CacheProvider on `sso_transactions`: AuthnRequest ids live in the database (the
 * IdP's POST arrives cross-site, possibly at another instance) and are bound to the connection
 * that issued them: an id issued for org A's connection is "not valid" at org B's ACS.
 *
 * One instance per HTTP request. On login it stores the request's server-side state (returnTo,
 * browser binding) with the id; on the ACS it remembers the row node-saml looked up, so the
 * caller can check the browser binding and read returnTo after validation.
 */
import type { CacheItem, CacheProvider } from "@node-saml/node-saml";
import { SsoTransaction } from "../entities";
import type { Deps } from "../src/context";

export const SAML_REQUEST_TTL_MS = 10 * 60_000;

export interface SamlRequestState {
  kind: "saml";
  returnTo: string;
  binding: string;
  /** Set for a Test connection sign-in (connection-test.ts): who started it. */
  test?: { userId: string };
}

export class SamlRequestCache implements CacheProvider {
  /** The transaction node-saml matched InResponseTo against, if any. */
  matched: SsoTransaction | null = null;

  constructor(private readonly deps: Deps, private readonly connectionId: string, private readonly state?: SamlRequestState) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    if (!this.state) throw new Error("SamlRequestCache: no state to save with a new request");
    const now = this.deps.clock.now();
    await this.deps.ds.getRepository(SsoTransaction).insert({
      id: key, connectionId: this.connectionId, data: { ...this.state, issuedAt: value } as never,
      expiresAt: new Date(now.getTime() + SAML_REQUEST_TTL_MS),
    });
    return { value, createdAt: now.getTime() };
  }

  async getAsync(key: string): Promise<string | null> {
    if (key.length > 128) return null;
    const row = await this.deps.ds.getRepository(SsoTransaction).findOneBy({ id: key, connectionId: this.connectionId });
    if (!row || row.data.kind !== "saml" || row.expiresAt <= this.deps.clock.now()) return null;
    this.matched = row;
    return String(row.data.issuedAt ?? row.createdAt.toISOString());
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key || key.length > 128) return null;
    const [rows] = await this.deps.ds.query(
      `DELETE FROM sso_transactions WHERE id = $1 AND connection_id = $2 RETURNING id`, [key, this.connectionId],
    ) as [Array<{ id: string }>, number];
    return rows?.length ? key : null;
  }
}
