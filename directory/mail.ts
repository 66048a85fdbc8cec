/** The email Owners get when a sync is held (mass removal guard). */
import type { RenderedEmail } from "../src/mail/templates";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function syncHeldEmail(p: { orgName: string; reason: string; link: string }): RenderedEmail {
  const lines = [`A Google Workspace sync for ${p.orgName} was held and nothing was applied.`, p.reason,
    "If this is expected (people really left), review and apply it in Settings → SSO / SCIM. If not, check the directory's scope in Google Workspace."];
  return {
    kind: "directory.sync_held",
    subject: `Google Workspace sync held for ${p.orgName}: review needed`,
    text: `${lines.join("\n\n")}\n\nReview: ${p.link}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif">${lines.map((l) => `<p>${esc(l)}</p>`).join("")}<p><a href="${esc(p.link)}">Review and apply</a></p></body></html>`,
  };
}
