/** The one email a pending membership sends: "your organization's IdP added you; join if you want". */
import type { RenderedEmail } from "../mail/templates";

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function joinEmail(p: { orgName: string; link: string }): RenderedEmail {
  const lines = [
    `The identity provider of ${p.orgName} added this email address to ${p.orgName} on Roster.`,
    "Nothing is shared with the organization until you join. If you expected this, follow the link and sign in (or create your account); otherwise ignore this email.",
  ];
  return {
    kind: "member.join_link",
    subject: `Join ${p.orgName} on Roster`,
    text: `${lines.join("\n\n")}\n\nJoin ${p.orgName}: ${p.link}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${lines.map((l) => `<p>${esc(l)}</p>`).join("\n")}\n`
      + `<p><a href="${esc(p.link)}">Join ${esc(p.orgName)}</a></p>\n<p style="color:#666;font-size:12px">Or paste this link into your browser: ${esc(p.link)}</p>\n</body></html>`,
  };
}
