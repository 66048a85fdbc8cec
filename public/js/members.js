// Settings → Members: active members (role pill, last active, chatbot scope, remove) and pending
// invitations (resend, revoke, invite again). Controls appear only with the permission behind
// them; the API still checks every action.
import { del, get, patch, post, redirectIfSignedOut } from "./api.js";
import { busy, h, relativeTime, replace, roleLabel, showErrors, toast, exactTime } from "./dom.js";
import { openDialog } from "./dialog.js";
import { orgPage } from "./shell.js";

const ROLES = ["member", "admin", "owner"];
const ROLE_HELP = {
  member: "Works in the chatbots they are given; no member management.",
  admin: "Manages members, invitations, chatbots, SSO and SCIM.",
  owner: "Everything an Admin can do, plus granting and removing Owners.",
};
const ACCESS = [["view", "View"], ["reply", "Reply"], ["manage", "Manage"]];

let ctx;
let base;
let state = { members: [], invitations: [], chatbots: [] };

const can = (p) => ctx.perms.has(p);
const isOwner = () => ctx.membership.role === "owner";
const display = (m) => m.name || m.email;

function trashIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  for (const d of ["M3 6h18", "M8 6V4h8v2", "M19 6l-1 14H6L5 6", "M10 11v6", "M14 11v6"]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

async function load() {
  const [members, invitations, chatbots] = await Promise.all([
    get(`${base}/members`),
    get(`${base}/invitations`),
    get(`${base}/chatbots`).catch(() => ({ chatbots: [] })),
  ]);
  state = { members: members.members, invitations: invitations.invitations, chatbots: chatbots.chatbots };
}

async function refresh() {
  try {
    await load();
    render();
  } catch (err) {
    if (!redirectIfSignedOut(err)) toast(err.message, "error");
  }
}

function scopeCell(grants) {
  if (!grants.length) return h("span", { class: "muted" }, "All chatbots");
  const names = new Map(state.chatbots.map((b) => [b.id, b.name]));
  return h("div", { class: "scope" }, grants.map((g) => h("span", {}, `${names.get(g.chatbotId) || "Chatbot"} · ${g.access}`)));
}

function canChangeRole(m) {
  if (!can("members.update") || m.managedByIdp) return false;
  return m.role !== "owner" || isOwner();
}

function canRemove(m) {
  if (m.managedByIdp) return false;
  if (m.id === ctx.membership.id) return true;
  return can("members.remove") && (m.role !== "owner" || isOwner());
}

function roleCell(m) {
  const cell = h("td", { "data-label": "Role" });
  const pill = () => {
    if (!canChangeRole(m)) return h("span", { class: `pill role-${m.role}` }, roleLabel(m.role));
    return h("button", { type: "button", class: `pill role-${m.role}`, "aria-label": `Role of ${display(m)}: ${roleLabel(m.role)}. Change role`,
      "aria-haspopup": "listbox", onclick: () => editRole(cell, m, pill) }, roleLabel(m.role));
  };
  replace(cell, pill());
  return cell;
}

function editRole(cell, m, pill) {
  const options = ROLES.filter((r) => r !== "owner" || isOwner() || m.role === "owner");
  const select = h("select", { "aria-label": `Role of ${display(m)}` },
    options.map((r) => h("option", { value: r, selected: r === m.role }, roleLabel(r))));
  let done = false;
  const restore = () => { if (!done) { done = true; replace(cell, pill()).querySelector("button")?.focus(); } };
  select.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { ev.preventDefault(); restore(); } });
  select.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== select) restore(); }, 0));
  select.addEventListener("change", async () => {
    done = true;
    select.disabled = true;
    try {
      const r = await patch(`${base}/members/${m.id}`, { role: select.value });
      await refresh();
      toast(`${display(m)} is now ${roleLabel(r.member.role)}.`);
    } catch (err) {
      done = false;
      restore();
      cell.append(h("p", { class: "field-error", role: "alert" }, err.message));
    }
  });
  replace(cell, select);
  select.focus();
}

function memberRow(m) {
  const self = m.id === ctx.membership.id;
  return h("tr", { dataset: { memberId: m.id } },
    h("td", { "data-label": "Name" }, h("div", { class: "person" },
      h("strong", {}, m.name || "—", self ? h("span", { class: "you" }, "(you)") : null),
      m.managedByIdp ? h("span", {}, h("span", { class: "badge idp" }, "Managed by your identity provider")) : null,
      m.pending ? h("span", {}, h("span", { class: "badge expired", title: "Their address is outside your verified domains: they were emailed a link to join." }, "Waiting to join")) : null)),
    h("td", { "data-label": "Email" }, m.email),
    roleCell(m),
    h("td", { "data-label": "Last active" }, relativeTime(m.lastActiveAt)),
    h("td", { "data-label": "Chatbot scope" }, scopeCell(m.chatbotPermissions)),
    h("td", { class: "actions" }, canRemove(m)
      ? h("button", { type: "button", class: "icon-btn", "aria-label": self ? `Leave ${ctx.org.name}` : `Remove ${display(m)}`,
        title: self ? "Leave organization" : "Remove member", onclick: () => confirmRemove(m) }, trashIcon())
      : null));
}

function confirmRemove(m) {
  const self = m.id === ctx.membership.id;
  openDialog({
    id: "remove-dialog",
    title: self ? `Leave ${ctx.org.name}?` : `Remove ${display(m)}?`,
    description: self
      ? "You lose access to this organization at once. Conversations assigned to you return to the queue and your chatbot permissions are revoked."
      : `${display(m)} (${m.email}) loses access to ${ctx.org.name} at once. Conversations assigned to them return to the queue, and their chatbot permissions are revoked. They get an email, and you can invite them again later.`,
    submitLabel: self ? "Leave organization" : "Remove member",
    submitClass: "danger",
    onSubmit: async (form) => {
      try {
        await busy(form, () => del(`${base}/members/${m.id}`));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      if (self) { location.assign("/app"); return true; }
      await refresh();
      toast(`${display(m)} was removed.`);
      return true;
    },
  });
}

function invitationRow(inv) {
  const expired = inv.status === "expired";
  const by = inv.invitedBy.name || inv.invitedBy.email || "—";
  return h("tr", { class: expired ? "is-expired" : null, dataset: { invitationId: inv.id } },
    h("td", { "data-label": "Email" }, inv.email),
    h("td", { "data-label": "Role" }, h("span", { class: `pill role-${inv.role}` }, roleLabel(inv.role))),
    h("td", { "data-label": "Invited by" }, by),
    h("td", { "data-label": "Sent" }, relativeTime(inv.lastSentAt), inv.sendCount > 1 ? h("span", { class: "muted small" }, ` · ${inv.sendCount} times`) : null),
    h("td", { "data-label": "Expires" }, expired
      ? h("span", { class: "badge expired", title: exactTime(inv.expiresAt) }, "Expired")
      : relativeTime(inv.expiresAt)),
    h("td", { class: "actions" }, can("members.invite") ? h("div", { class: "row-actions" }, expired
      ? h("button", { type: "button", class: "btn small", "aria-label": `Invite ${inv.email} again`,
        onclick: () => inviteDialog({ email: inv.email, role: inv.role, chatbotPermissions: inv.chatbotPermissions }) }, "Invite again")
      : [
        h("button", { type: "button", class: "btn small", "aria-label": `Resend invitation to ${inv.email}`, onclick: (ev) => resend(inv, ev.currentTarget) }, "Resend"),
        h("button", { type: "button", class: "btn small", "aria-label": `Revoke invitation to ${inv.email}`, onclick: () => confirmRevoke(inv) }, "Revoke"),
      ]) : null));
}

async function resend(inv, button) {
  button.disabled = true;
  try {
    await post(`${base}/invitations/${inv.id}/resend`);
    await refresh();
    toast(`Invitation sent again to ${inv.email}.`);
  } catch (err) {
    button.disabled = false;
    button.closest("td").append(h("p", { class: "field-error", role: "alert" }, err.message));
  }
}

function confirmRevoke(inv) {
  openDialog({
    id: "revoke-dialog",
    title: `Revoke the invitation to ${inv.email}?`,
    description: "The link in their email stops working at once. You can send a fresh invite later.",
    submitLabel: "Revoke invitation",
    submitClass: "danger",
    onSubmit: async (form) => {
      try {
        await busy(form, () => post(`${base}/invitations/${inv.id}/revoke`));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      await refresh();
      toast(`The invitation to ${inv.email} was revoked.`);
      return true;
    },
  });
}

function inviteDialog(prefill = {}) {
  const roles = ROLES.filter((r) => r !== "owner" || isOwner());
  const picked = new Map((prefill.chatbotPermissions || []).map((g) => [g.chatbotId, g.access]));
  const roleSelect = h("select", { id: "invite-role", name: "role", "aria-describedby": "invite-role-help" },
    roles.map((r) => h("option", { value: r, selected: r === (prefill.role || "member") }, roleLabel(r))));
  const roleHelp = h("p", { class: "hint", id: "invite-role-help" }, ROLE_HELP[roleSelect.value]);
  roleSelect.addEventListener("change", () => { roleHelp.textContent = ROLE_HELP[roleSelect.value]; });
  const picks = state.chatbots.map((b) => {
    const box = h("input", { type: "checkbox", id: `bot-${b.id}`, value: b.id, checked: picked.has(b.id) });
    const access = h("select", { "aria-label": `Access to ${b.name}`, disabled: !picked.has(b.id) },
      ACCESS.map(([v, label]) => h("option", { value: v, selected: v === (picked.get(b.id) || "reply") }, label)));
    box.addEventListener("change", () => { access.disabled = !box.checked; });
    return { b, box, access, row: h("div", { class: "chatbot-pick" }, h("label", { class: "check", for: box.id }, box, b.name), access) };
  });
  openDialog({
    id: "invite-dialog",
    title: "Invite member",
    submitLabel: "Send",
    body: [
      h("div", { class: "field" }, h("label", { for: "invite-email" }, "Email"),
        h("input", { id: "invite-email", name: "email", type: "email", autocomplete: "off", required: true, autofocus: true, value: prefill.email || "" })),
      h("div", { class: "field" }, h("label", { for: "invite-role" }, "Role"), roleSelect, roleHelp),
      h("fieldset", { class: "field", name: "chatbotPermissions" },
        h("legend", {}, "Chatbot access (optional)"),
        h("p", { class: "hint" }, "Pick chatbots to limit this person to them. Leave all unticked to follow the role."),
        picks.length ? h("div", { class: "chatbot-picks" }, picks.map((p) => p.row)) : h("p", { class: "hint" }, "This organization has no chatbots yet.")),
    ],
    onSubmit: async (form) => {
      const chatbotPermissions = picks.filter((p) => p.box.checked).map((p) => ({ chatbotId: p.b.id, access: p.access.value }));
      const body = { email: form.elements.email.value.trim(), role: roleSelect.value, chatbotPermissions };
      try {
        await busy(form, () => post(`${base}/invitations`, body));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      await refresh();
      toast(`Invitation sent to ${body.email}.`);
      return true;
    },
  });
}

function table(caption, headers, rows) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden-label" }, caption),
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

function render() {
  const mayInvite = can("members.invite") && !ctx.scimManaged;
  replace(ctx.main,
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, "Members"), h("p", { class: "lede" }, `People in ${ctx.org.name} and what they can do.`)),
      mayInvite ? h("button", { type: "button", class: "btn primary", id: "invite-button", onclick: () => inviteDialog() }, "Invite member") : null),
    ctx.scimManaged ? h("div", { class: "notice info" }, "Members of this organization are managed by your identity provider (SCIM). Add, remove and re-role people there.") : null,
    h("section", { class: "card", "aria-labelledby": "active-h" },
      h("div", { class: "card-head" }, h("h2", { id: "active-h" }, "Active members", h("span", { class: "count" }, state.members.length))),
      table("Active members", ["Name", "Email", "Role", "Last active", "Chatbot scope", h("span", { class: "visually-hidden-label" }, "Actions")],
        state.members.map(memberRow))),
    h("section", { class: "card", "aria-labelledby": "pending-h" },
      h("div", { class: "card-head" }, h("h2", { id: "pending-h" }, "Pending invitations", h("span", { class: "count" }, state.invitations.length))),
      state.invitations.length
        ? table("Pending invitations", ["Email", "Role", "Invited by", "Sent", "Expires", h("span", { class: "visually-hidden-label" }, "Actions")],
          state.invitations.map(invitationRow))
        : h("p", { class: "empty" }, mayInvite ? "No pending invitations. Use “Invite member” to add someone." : "No pending invitations.")));
}

(async () => {
  ctx = await orgPage("members");
  if (!ctx) return;
  base = `/api/orgs/${encodeURIComponent(ctx.orgId)}`;
  if (!can("members.read")) {
    replace(ctx.main, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Members"))),
      h("div", { class: "notice warn", role: "status" }, "Your role does not let you see or manage the members of this organization. Ask an Owner or Admin if you need to invite someone."));
    return;
  }
  await refresh();
})();
