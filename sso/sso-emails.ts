/** Emails the SSO setup sends to Owners, as plain text and HTML (see src/mail/templates.ts for the others). */
import type { RenderedEmail } from "../src/mail/templates";
import type { CertificateInfo } from "./certificates";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function certificateExpiryEmail(p: { orgName: string; connectionName: string; certificates: CertificateInfo[]; settingsUrl: string }): RenderedEmail {
  const lines = [
    `The signing certificate of your identity provider for “${p.connectionName}” in ${p.orgName} expires soon:`,
    ...p.certificates.map((c) => `${c.subject}, SHA-256 fingerprint ${c.fingerprintSha256}, ${c.expired ? "expired" : "expires"} on ${c.notAfter.slice(0, 10)}.`),
    "Create the new certificate in your identity provider and add it in Roster before the old one expires (with a metadata URL, Roster picks it up by itself within a day). Until then sign-ins keep working.",
  ];
  return {
    kind: "sso.certificate_expiring",
    subject: `SSO certificate for ${p.orgName} expires soon`,
    text: `${lines.join("\n\n")}\n\nSSO settings: ${p.settingsUrl}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${lines.map((l) => `<p>${esc(l)}</p>`).join("\n")}\n<p><a href="${esc(p.settingsUrl)}">Open SSO settings</a></p>\n</body></html>`,
  };
}
