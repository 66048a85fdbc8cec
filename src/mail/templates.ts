/** Every email Roster sends, as plain text and HTML; links are absolute, built from BASE_URL. */
export interface RenderedEmail {
  kind: string;
  subject: string;
  text: string;
  html: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function layout(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${esc(p)}</p>`).join("\n");
  const button = link
    ? `<p><a href="${esc(link.href)}" style="display:inline-block;padding:10px 16px;background:#2f54eb;color:#fff;text-decoration:none;border-radius:6px">${esc(link.label)}</a></p>\n<p style="color:#666;font-size:12px">Or paste this link into your browser: ${esc(link.href)}</p>`
    : "";
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">\n${body}\n${button}\n</body></html>`;
}

const ROLE_NAMES = { owner: "Owner", admin: "Admin", member: "Member" } as const;
type RoleName = keyof typeof ROLE_NAMES;

export function invitationEmail(p: {
  orgName: string; inviterName: string; role: RoleName; link: string; expiresAt: Date; resend?: boolean;
}): RenderedEmail {
  const lines = [
    `${p.inviterName} invited you to join ${p.orgName} on Roster as ${ROLE_NAMES[p.role]}.`,
    `The link works once and expires on ${p.expiresAt.toUTCString()}.`,
  ];
  return {
    kind: p.resend ? "invitation.resent" : "invitation",
    subject: `You're invited to join ${p.orgName}`,
    text: `${lines.join("\n\n")}\n\nAccept the invitation: ${p.link}\n`,
    html: layout(lines, { href: p.link, label: "Accept invitation" }),
  };
}

export function roleChangedEmail(p: { orgName: string; oldRole: RoleName; newRole: RoleName; appUrl: string }): RenderedEmail {
  const lines = [`Your role in ${p.orgName} changed from ${ROLE_NAMES[p.oldRole]} to ${ROLE_NAMES[p.newRole]}.`,
    "The change applies right away."];
  return {
    kind: "member.role_changed",
    subject: `Your role in ${p.orgName} is now ${ROLE_NAMES[p.newRole]}`,
    text: `${lines.join("\n\n")}\n\nOpen Roster: ${p.appUrl}\n`,
    html: layout(lines, { href: p.appUrl, label: "Open Roster" }),
  };
}

export function removedEmail(p: { orgName: string }): RenderedEmail {
  const lines = [`You no longer have access to ${p.orgName} on Roster.`,
    "If you think this is a mistake, ask an administrator of the organization to invite you again."];
  return {
    kind: "member.removed",
    subject: `You were removed from ${p.orgName}`,
    text: `${lines.join("\n\n")}\n`,
    html: layout(lines),
  };
}

export function passwordResetEmail(p: { link: string; validMinutes: number }): RenderedEmail {
  const lines = ["Someone (we hope you) asked to reset the password of your Roster account.",
    `The link works once, for ${p.validMinutes} minutes; asking again makes this one stop working. Resetting signs you out everywhere.`,
    "If you did not ask, ignore this email: your password stays as it is."];
  return {
    kind: "account.password_reset",
    subject: "Reset your Roster password",
    text: `${lines.join("\n\n")}\n\nChoose a new password: ${p.link}\n`,
    html: layout(lines, { href: p.link, label: "Choose a new password" }),
  };
}

/** Answer to a reset request from someone whose every organization signs them in with SSO only. */
export function passwordResetSsoOnlyEmail(p: { orgNames: string[]; loginUrl: string }): RenderedEmail {
  const lines = [`Someone (we hope you) asked to reset the password of your Roster account.`,
    `${p.orgNames.join(", ")} ${p.orgNames.length === 1 ? "requires" : "require"} single sign-on, so a password cannot sign you in. Sign in with “Continue with SSO” using your organization's account; its administrators can help if that does not work.`];
  return {
    kind: "account.password_reset_sso",
    subject: "Sign in to Roster with single sign-on",
    text: `${lines.join("\n\n")}\n\nSign in: ${p.loginUrl}\n`,
    html: layout(lines, { href: p.loginUrl, label: "Go to sign-in" }),
  };
}

export function passwordChangedEmail(p: { loginUrl: string }): RenderedEmail {
  const lines = ["The password of your Roster account was just changed with a reset link, and every session was signed out.",
    "If this was not you, reset your password again right away and tell your organization's administrators."];
  return {
    kind: "account.password_changed",
    subject: "Your Roster password was changed",
    text: `${lines.join("\n\n")}\n\nSign in: ${p.loginUrl}\n`,
    html: layout(lines, { href: p.loginUrl, label: "Sign in" }),
  };
}
