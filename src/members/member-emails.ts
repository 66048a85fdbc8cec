/**
 * Emails about a person's own membership that the Members page sends: chatbot access changed,
 * suspended, restored. (Role changes use roleChangedEmail in src/mail/templates.ts.)
 */
import type { RenderedEmail } from "../mail/templates";

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function render(kind: string, subject: string, lines: string[], appUrl: string): RenderedEmail {
  return {
    kind, subject,
    text: `${lines.join("\n\n")}\n\nOpen Roster: ${appUrl}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${lines.map((l) => `<p>${esc(l)}</p>`).join("\n")}\n`
      + `<p><a href="${esc(appUrl)}">Open Roster</a></p>\n</body></html>`,
  };
}

const ACCESS_WORDS = { view: "view", reply: "reply", manage: "manage" } as const;

/** `chatbots`: name and access of each granted chatbot; empty with scope "selected" means none. */
export function accessChangedEmail(p: { orgName: string; scope: "all" | "selected"; chatbots: Array<{ name: string; access: keyof typeof ACCESS_WORDS }>; appUrl: string }): RenderedEmail {
  const what = p.scope === "all"
    ? "You can now work in every chatbot of the organization."
    : p.chatbots.length
      ? `You can now work in these chatbots only: ${p.chatbots.map((c) => `${c.name} (${ACCESS_WORDS[c.access]})`).join(", ")}.`
      : "You no longer have access to any chatbot of the organization. Ask an administrator if you need one.";
  return render("member.access_changed", `Your chatbot access in ${p.orgName} changed`, [`Your chatbot access in ${p.orgName} changed.`, what], p.appUrl);
}

export function suspendedEmail(p: { orgName: string; appUrl: string }): RenderedEmail {
  return render("member.suspended", `Your access to ${p.orgName} is suspended`, [
    `An administrator suspended your access to ${p.orgName} on Roster.`,
    "Your role and chatbot access are kept; they apply again if you are restored. Ask an administrator of the organization if you think this is a mistake.",
  ], p.appUrl);
}

export function restoredEmail(p: { orgName: string; appUrl: string }): RenderedEmail {
  return render("member.restored", `Your access to ${p.orgName} is restored`, [
    `Your access to ${p.orgName} on Roster is restored, with the role and chatbot access you had before.`,
  ], p.appUrl);
}
