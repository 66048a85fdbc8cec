/**
 * THE decision "which account does this directory user map to", in one place (trust boundary,
 * docs/security.md):
 * - an email in one of the org's verified domains → that account, created if none exists;
 * - any other email → `pending`: no account is looked up, created or linked. The sync gives the
 *   user a membership that waits for the person (provisionMember: a placeholder account showing
 *   Google's name, one email with a join link); following the link moves it to their account.
 *   An org must not create or take over accounts for addresses it does not own.
 * A user Roster already manages is matched by its Google id first (plan.ts), so a pending or
 * joined membership stays the same membership across syncs.
 */
import type { EntityManager } from "typeorm";
import { emailDomain } from "../sso/domains.service";

export type AccountDecision =
  | { kind: "existing"; userId: string }
  | { kind: "new" }
  | { kind: "pending" };

/** Decides for every email at once (two queries, whatever the count). Emails are lower-case. */
export async function accountsFor(tx: EntityManager, orgId: string, emails: string[]): Promise<Map<string, AccountDecision>> {
  const domains: Array<{ domain: string }> = await tx.query(`SELECT domain FROM org_domains WHERE org_id = $1 AND verified_at IS NOT NULL`, [orgId]);
  const verified = new Set(domains.map((d) => d.domain.toLowerCase()));
  const inDomain = emails.filter((e) => verified.has(emailDomain(e) ?? ""));
  const found: Array<{ id: string; email: string }> = inDomain.length
    ? await tx.query(`SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])`, [inDomain]) : [];
  const byEmail = new Map(found.map((u) => [u.email, u.id]));
  const out = new Map<string, AccountDecision>();
  for (const e of emails) {
    if (!verified.has(emailDomain(e) ?? "")) out.set(e, { kind: "pending" });
    else {
      const id = byEmail.get(e);
      out.set(e, id ? { kind: "existing", userId: id } : { kind: "new" });
    }
  }
  return out;
}

/** Creates the accounts decided `new` (one statement); an account created meanwhile is linked instead. */
export async function createAccounts(tx: EntityManager, rows: Array<{ email: string; name: string }>): Promise<Map<string, string>> {
  if (!rows.length) return new Map();
  await tx.query(`INSERT INTO users (email, name) SELECT t.email, t.name FROM jsonb_to_recordset($1::jsonb) AS t(email text, name text)
    ON CONFLICT ((lower(email))) DO NOTHING`, [JSON.stringify(rows.map((r) => ({ email: r.email, name: r.name.slice(0, 200) || null })))]);
  const all: Array<{ id: string; email: string }> = await tx.query(`SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY($1::text[])`, [rows.map((r) => r.email)]);
  return new Map(all.map((u) => [u.email, u.id]));
}
