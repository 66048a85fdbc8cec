/**
 * The page a Test connection sign-in ends on (in the window the admin opened): what Roster would
 * do, and what the IdP sent. Plain HTML, no scripts (the CSP forbids inline ones); the settings
 * page reads the same report from the API (connection.lastTest).
 */
import type { Response } from "express";
import type { TestReport } from "./connection-test";

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const ROLE = { owner: "Owner", admin: "Admin", member: "Member" } as Record<string, string>;
const HOW = { identity: "signs in as the person already linked to this identity", linked: "links this identity to the existing account", jit: "creates the account and membership on first sign-in" } as Record<string, string>;

function outcome(r: TestReport): string {
  if (r.ok && r.outcome) {
    const o = r.outcome;
    return `<p class="ok">Roster would sign in <strong>${esc(o.name ?? o.email)}</strong> (${esc(o.email)}) as <strong>${esc(ROLE[o.role] ?? o.role)}</strong>: it ${esc(HOW[o.how] ?? o.how)}.</p>`;
  }
  return `<p class="refused">Roster would refuse this sign-in.</p><p>${esc(r.refusal?.message)}</p><p>Reason: <code>${esc(r.refusal?.code)}</code></p>`;
}

function received(r: TestReport): string {
  const x = r.received;
  if (!x) return "<p>Nothing readable was received.</p>";
  const rows: string[] = [];
  if (x.nameId !== undefined) {
    rows.push(`<tr><th>NameID</th><td><code>${esc(x.nameId)}</code></td></tr>`, `<tr><th>NameID format</th><td>${esc(x.nameIdFormat ?? "(none)")}</td></tr>`);
    rows.push(`<tr><th>Response signature</th><td>${esc(x.signatures?.response ?? "not signed")}</td></tr>`, `<tr><th>Assertion signature</th><td>${esc(x.signatures?.assertion ?? "not signed")}</td></tr>`);
    for (const a of x.attributes ?? []) rows.push(`<tr><th>${esc(a.name)}${a.friendlyName ? ` (${esc(a.friendlyName)})` : ""}</th><td>${a.values.map(esc).join("<br>")}</td></tr>`);
  }
  for (const [k, v] of Object.entries(x.claims ?? {})) rows.push(`<tr><th>${esc(k)}</th><td><code>${esc(typeof v === "string" ? v : JSON.stringify(v))}</code></td></tr>`);
  const note = x.verified ? "" : "<p>The signature was not accepted, so these values are shown as received, unverified.</p>";
  return `${note}<table>${rows.join("\n")}</table>`;
}

export function renderTestReport(res: Response, r: TestReport, settingsUrl: string): void {
  res.status(200).type("html").set("Cache-Control", "no-store").send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test sign-in ${r.ok ? "succeeded" : "failed"}</title><link rel="stylesheet" href="/assets/css/app.css"></head>
<body>
<main class="test-report">
<h1>Test sign-in ${r.ok ? "succeeded" : "failed"}</h1>
<h2>What Roster would do</h2>
${outcome(r)}
<h2>What your identity provider sent</h2>
${received(r)}
<p>This was a test: no one was signed in and nothing was created. You can close this window and return to <a href="${esc(settingsUrl)}">SSO settings</a>.</p>
</main>
</body>
</html>
`);
}
