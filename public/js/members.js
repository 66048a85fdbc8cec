// Settings → Members: members (search, sort, paging on the server; role, chatbot access,
// suspend/restore, transfer ownership, remove) and pending invitations (resend, revoke, invite
// again, invite several). Controls appear only with the permission behind them; the API still
// checks every action. Nothing changes on a keystroke alone: every change is a dialog confirmed
// with its button, and focus goes back to the row it came from.
import { del, get, patch, post, redirectIfSignedOut } from "./api.js";
import { busy, h, relativeTime, replace, roleLabel, showErrors, toast, exactTime } from "./dom.js";
import { openDialog } from "./dialog.js";
import { orgPage } from "./shell.js";

const ROLES = ["member", "admin", "owner"];
const ROLE_HELP = {
  member: "Works in the chatbots you choose (all, or only selected ones). Cannot see or manage members.",
  admin: "Manages members, invitations, chatbots, SSO and SCIM, and reads the audit log.",
  owner: "Everything an Admin can do, plus granting and removing Owners and transferring ownership.",
};
/** What a promotion hands over, said before it is confirmed. */
const ROLE_POWERS = {
  admin: ["invite, suspend and remove members and change their roles (except Owners)", "work in every chatbot, create and delete chatbots",
    "set up SSO and SCIM", "read the audit log"],
  owner: ["do everything an Admin can", "make other people Owner, and demote or remove Owners, including you", "transfer ownership of the organization"],
};
const ACCESS = [["view", "View"], ["reply", "Reply"], ["manage", "Manage"]];
const PAGE_SIZE = 25;
const SORTS = [["name", "Name"], ["role", "Role"], ["lastActive", "Last active"]];

let ctx;
let base;
let chatbots = [];
let view = { query: "", sort: "name" };
let lists = { members: emptyList(), invitations: emptyList() };
let soleOwner = false;

function emptyList() {
  return { items: [], total: 0, nextCursor: null };
}

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

function listUrl(kind, cursor) {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (view.query) q.set("query", view.query);
  if (kind === "members") q.set("sort", view.sort);
  if (cursor) q.set("cursor", cursor);
  return `${base}/${kind}?${q}`;
}

async function fetchPage(kind, cursor) {
  const r = await get(listUrl(kind, cursor));
  return { items: r[kind], total: r.total, nextCursor: r.nextCursor };
}

/** Whether the signed-in Owner is the only active one (then "Leave" is not offered). */
async function loadSoleOwner() {
  if (!isOwner()) return false;
  const r = await get(`${base}/members?sort=role&limit=3`);
  return r.members.filter((m) => m.role === "owner" && m.status === "active").length < 2;
}

async function load() {
  const [members, invitations, bots, sole] = await Promise.all([
    fetchPage("members"),
    fetchPage("invitations"),
    get(`${base}/chatbots`).catch(() => ({ chatbots: [] })),
    loadSoleOwner(),
  ]);
  lists = { members, invitations };
  chatbots = bots.chatbots;
  soleOwner = sole;
}

/** Reloads the lists; then puts focus back on `focus` (a selector) if given, else keeps it where it was. */
async function refresh(focus) {
  try {
    await load();
    render();
    if (focus) document.querySelector(focus)?.focus();
  } catch (err) {
    if (!redirectIfSignedOut(err)) toast(err.message, "error");
  }
}

const rowSel = (m, control) => `tr[data-member-id="${m.id}"] ${control}`;

function scopeCell(m) {
  if (m.role !== "member") return h("span", { class: "muted", title: `${roleLabel(m.role)}s work in every chatbot.` }, "All chatbots");
  if (m.chatbotScope === "all") return h("span", { class: "muted" }, "All chatbots");
  if (!m.chatbotPermissions.length) return h("span", { class: "muted" }, "No chatbots");
  const names = new Map(chatbots.map((b) => [b.id, b.name]));
  return h("div", { class: "scope" }, m.chatbotPermissions.map((g) => h("span", {}, `${names.get(g.chatbotId) || "Chatbot"} · ${g.access}`)));
}

/**
 * "All chatbots" / "Only selected chatbots" with a pick per chatbot. `forRole(role)` hides it for
 * Owners and Admins, who always work in every chatbot.
 */
function scopePicker(prefix, prefill = {}) {
  const picked = new Map((prefill.chatbotPermissions || []).map((g) => [g.chatbotId, g.access]));
  const startScope = prefill.chatbotScope || (picked.size ? "selected" : "all");
  const radio = (value, label, hint) => {
    const input = h("input", { type: "radio", name: "chatbotScope", id: `${prefix}-scope-${value}`, value, checked: startScope === value });
    return { input, node: h("div", { class: "choice" }, input, h("label", { for: input.id }, label, h("span", { class: "hint" }, hint))) };
  };
  const all = radio("all", "All chatbots", "Works in every chatbot, including ones created later.");
  const selected = radio("selected", "Only selected chatbots", "Works only in the chatbots ticked below; with none ticked, in no chatbot.");
  const picks = chatbots.map((b) => {
    const box = h("input", { type: "checkbox", id: `${prefix}-bot-${b.id}`, value: b.id, checked: picked.has(b.id) });
    const access = h("select", { "aria-label": `Access to ${b.name}`, disabled: !picked.has(b.id) },
      ACCESS.map(([v, label]) => h("option", { value: v, selected: v === (picked.get(b.id) || "reply") }, label)));
    box.addEventListener("change", () => { access.disabled = !box.checked; });
    return { b, box, access, row: h("div", { class: "chatbot-pick" }, h("label", { class: "check", for: box.id }, box, b.name), access) };
  });
  const pickBox = h("div", { class: "chatbot-picks", hidden: startScope !== "selected" },
    picks.length ? picks.map((p) => p.row) : h("p", { class: "hint" }, "This organization has no chatbots yet."));
  for (const r of [all, selected]) r.input.addEventListener("change", () => { pickBox.hidden = !selected.input.checked; });
  const roleNote = h("p", { class: "hint", hidden: true });
  const choices = h("div", {}, all.node, selected.node, pickBox);
  const node = h("fieldset", { class: "field", name: "chatbotPermissions" }, h("legend", {}, "Chatbot access"), roleNote, choices);
  return {
    node,
    forRole(role) {
      const member = role === "member";
      choices.hidden = !member;
      roleNote.hidden = member;
      roleNote.textContent = member ? "" : `${roleLabel(role)}s work in every chatbot.`;
    },
    value() {
      if (all.input.checked) return { chatbotScope: "all", chatbotPermissions: [] };
      return { chatbotScope: "selected", chatbotPermissions: picks.filter((p) => p.box.checked).map((p) => ({ chatbotId: p.b.id, access: p.access.value })) };
    },
  };
}

function canChangeRole(m) {
  if (!can("members.update") || m.managedByIdp) return false;
  return m.role !== "owner" || isOwner();
}
const canEditAccess = (m) => can("members.update") && !m.managedByIdp && m.role === "member";
const canSuspend = (m) => can("members.update") && !m.managedByIdp && m.id !== ctx.membership.id && (m.role !== "owner" || isOwner());
const canTransfer = (m) => isOwner() && m.id !== ctx.membership.id && m.status === "active" && !m.pending && !m.managedByIdp;

function canRemove(m) {
  if (m.managedByIdp) return false;
  if (m.id === ctx.membership.id) return !soleOwner;
  return can("members.remove") && (m.role !== "owner" || isOwner());
}

/**
 * After a dialog that re-rendered the list closes, focus goes to `selector` in the member's new
 * row, else to the row's first control, else to the list heading (never lost to <body>).
 */
function focusAfterClose(dialog, selector, memberId) {
  dialog.addEventListener("close", () => {
    const target = document.querySelector(selector) || document.querySelector(`tr[data-member-id="${memberId}"] button`) || document.getElementById("members-h");
    target?.focus();
  }, { once: true });
}

function roleCell(m) {
  if (!canChangeRole(m)) return h("td", { "data-label": "Role" }, h("span", { class: `pill role-${m.role}` }, roleLabel(m.role)));
  return h("td", { "data-label": "Role" }, h("button", { type: "button", class: `pill role-${m.role}`,
    "aria-label": `Role of ${display(m)}: ${roleLabel(m.role)}. Change role`, "aria-haspopup": "dialog", onclick: () => roleDialog(m) }, roleLabel(m.role)));
}

/** Pick a role, read what it gives, confirm: arrow keys only move the choice. */
function roleDialog(m) {
  const options = ROLES.filter((r) => r !== "owner" || isOwner());
  const radios = options.map((r) => h("input", { type: "radio", name: "role", id: `role-${r}`, value: r, checked: r === m.role }));
  const powers = h("div", { class: "role-powers", id: "role-powers", "aria-live": "polite" });
  const picked = () => radios.find((r) => r.checked)?.value || m.role;
  const explain = () => {
    const role = picked();
    if (role === m.role) return replace(powers, h("p", { class: "hint" }, `${display(m)} is ${roleLabel(role)} now. Pick another role to change it.`));
    if (ROLE_POWERS[role] && ROLES.indexOf(role) > ROLES.indexOf(m.role)) {
      return replace(powers, h("div", { class: "notice warn" }, h("p", {}, `As ${roleLabel(role)}, ${display(m)} will be able to:`),
        h("ul", {}, ROLE_POWERS[role].map((p) => h("li", {}, p)))));
    }
    return replace(powers, h("p", { class: "notice info" }, `${display(m)} will lose what ${roleLabel(m.role)}s can do beyond ${roleLabel(role)}. ` +
      (role === "member" ? "As Member they work in the chatbots set under “Edit access”." : "")));
  };
  radios.forEach((r) => {
    r.addEventListener("change", explain);
    // Enter confirms the chosen role (the arrow keys only move the choice).
    r.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); r.form.requestSubmit(); } });
  });
  const dialog = openDialog({
    id: "role-dialog",
    title: `Change the role of ${display(m)}`,
    submitLabel: "Change role",
    body: [
      h("fieldset", { class: "field choices" }, h("legend", {}, "Role"),
        options.map((r, i) => h("div", { class: "choice" }, radios[i], h("label", { for: radios[i].id }, roleLabel(r), h("span", { class: "hint" }, ROLE_HELP[r]))))),
      powers,
    ],
    onSubmit: async (form, dlg) => {
      const role = picked();
      if (role === m.role) return true;
      try {
        await busy(form, () => patch(`${base}/members/${m.id}`, { role }));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      await refresh();
      focusAfterClose(dlg, rowSel(m, "button.pill"), m.id);
      toast(`${display(m)} is now ${roleLabel(role)}.`);
      return true;
    },
  });
  explain();
  radios.find((r) => r.checked)?.focus();
  return dialog;
}

function accessDialog(m) {
  const picker = scopePicker("access", m);
  const dialog = openDialog({
    id: "access-dialog",
    title: `Chatbot access of ${display(m)}`,
    description: `${display(m)} is a Member: choose the chatbots they work in. They get an email about the change.`,
    submitLabel: "Save access",
    body: [picker.node],
    onSubmit: async (form, dlg) => {
      try {
        await busy(form, () => patch(`${base}/members/${m.id}`, picker.value()));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      await refresh();
      focusAfterClose(dlg, rowSel(m, ".edit-access"), m.id);
      toast(`Chatbot access of ${display(m)} saved.`);
      return true;
    },
  });
  dialog.querySelector("input[name=chatbotScope]:checked")?.focus();
}

function statusDialog(m) {
  const suspend = m.status === "active";
  openDialog({
    id: "status-dialog",
    title: suspend ? `Suspend ${display(m)}?` : `Restore ${display(m)}?`,
    description: suspend
      ? `${display(m)} loses access to ${ctx.org.name} at once; conversations assigned to them return to the queue. Their role and chatbot access are kept, so restoring gives back exactly what they had. They get an email.`
      : `${display(m)} gets back access to ${ctx.org.name} with the role and chatbot access they had. They get an email.`,
    submitLabel: suspend ? "Suspend member" : "Restore member",
    submitClass: suspend ? "danger" : "primary",
    onSubmit: async (form, dlg) => {
      try {
        await busy(form, () => post(`${base}/members/${m.id}/${suspend ? "suspend" : "restore"}`));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      await refresh();
      focusAfterClose(dlg, rowSel(m, ".status-action"), m.id);
      toast(suspend ? `${display(m)} is suspended.` : `${display(m)} is restored.`);
      return true;
    },
  });
}

function transferDialog(m) {
  openDialog({
    id: "transfer-dialog",
    title: `Transfer ownership to ${display(m)}?`,
    description: `${display(m)} becomes an Owner of ${ctx.org.name} and you become an Admin: you keep managing members and chatbots, `
      + "but you can no longer grant or remove Owners, and only an Owner can give ownership back. You both get an email.",
    submitLabel: "Transfer ownership",
    submitClass: "danger",
    onSubmit: async (form, dlg) => {
      try {
        await busy(form, () => post(`${base}/members/${m.id}/transfer-ownership`));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      ctx.membership.role = "admin";
      await refresh();
      focusAfterClose(dlg, rowSel(m, "button"), m.id);
      toast(`${display(m)} is now the Owner. You are an Admin.`);
      return true;
    },
  });
}

function memberRow(m) {
  const self = m.id === ctx.membership.id;
  const suspended = m.status === "suspended";
  return h("tr", { class: suspended ? "is-suspended" : null, dataset: { memberId: m.id } },
    h("td", { "data-label": "Name" }, h("div", { class: "person" },
      h("strong", { class: "clip", title: m.name || "" }, m.name || "—", self ? h("span", { class: "you" }, "(you)") : null),
      suspended ? h("span", {}, h("span", { class: "badge expired" }, "Suspended")) : null,
      m.managedByIdp ? h("span", {}, h("span", { class: "badge idp" }, "Managed by your identity provider")) : null,
      m.pending ? h("span", {}, h("span", { class: "badge expired", title: "Their address is outside your verified domains: they were emailed a link to join." }, "Waiting to join")) : null)),
    h("td", { "data-label": "Email" }, h("span", { class: "clip", title: m.email }, m.email)),
    roleCell(m),
    h("td", { "data-label": "Last active" }, relativeTime(m.lastActiveAt)),
    h("td", { "data-label": "Chatbot scope" }, scopeCell(m)),
    h("td", { class: "actions" }, h("div", { class: "row-actions" },
      canEditAccess(m) ? h("button", { type: "button", class: "btn small edit-access", "aria-label": `Edit access of ${display(m)}`, title: "Choose the chatbots they work in", onclick: () => accessDialog(m) }, "Edit access") : null,
      canSuspend(m) ? h("button", { type: "button", class: "btn small status-action", "aria-label": `${suspended ? "Restore" : "Suspend"} ${display(m)}`,
        onclick: () => statusDialog(m) }, suspended ? "Restore" : "Suspend") : null,
      canTransfer(m) ? h("button", { type: "button", class: "btn small", "aria-label": `Transfer ownership to ${display(m)}`, onclick: () => transferDialog(m) }, "Transfer ownership") : null,
      canRemove(m)
        ? h("button", { type: "button", class: "icon-btn", "aria-label": self ? `Leave ${ctx.org.name}` : `Remove ${display(m)}`,
          title: self ? "Leave organization" : "Remove member", onclick: () => confirmRemove(m) }, trashIcon())
        : null)));
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
      await refresh("#members-h");
      toast(`${display(m)} was removed.`);
      return true;
    },
  });
}

function invitationRow(inv) {
  const expired = inv.status === "expired";
  const by = inv.invitedBy.name || inv.invitedBy.email || "—";
  return h("tr", { class: expired ? "is-expired" : null, dataset: { invitationId: inv.id } },
    h("td", { "data-label": "Email" }, h("span", { class: "clip", title: inv.email }, inv.email)),
    h("td", { "data-label": "Role" }, h("span", { class: `pill role-${inv.role}` }, roleLabel(inv.role))),
    h("td", { "data-label": "Invited by" }, by),
    h("td", { "data-label": "Sent" }, relativeTime(inv.lastSentAt), inv.sendCount > 1 ? h("span", { class: "muted small" }, ` · ${inv.sendCount} times`) : null),
    h("td", { "data-label": "Expires" }, expired
      ? h("span", { class: "badge expired", title: exactTime(inv.expiresAt) }, "Expired")
      : relativeTime(inv.expiresAt)),
    h("td", { class: "actions" }, can("members.invite") ? h("div", { class: "row-actions" }, expired
      ? h("button", { type: "button", class: "btn small", "aria-label": `Invite ${inv.email} again`,
        onclick: () => inviteDialog({ email: inv.email, role: inv.role, chatbotScope: inv.chatbotScope, chatbotPermissions: inv.chatbotPermissions }) }, "Invite again")
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
      await refresh("#pending-h");
      toast(`The invitation to ${inv.email} was revoked.`);
      return true;
    },
  });
}

/** Role select with its help line, and the scope picker following the role. */
function roleAndScope(prefix, prefill) {
  const roles = ROLES.filter((r) => r !== "owner" || isOwner());
  const roleSelect = h("select", { id: `${prefix}-role`, name: "role", "aria-describedby": `${prefix}-role-help` },
    roles.map((r) => h("option", { value: r, selected: r === (prefill.role || "member") }, roleLabel(r))));
  const roleHelp = h("p", { class: "hint", id: `${prefix}-role-help` }, ROLE_HELP[roleSelect.value]);
  const picker = scopePicker(prefix, prefill);
  const follow = () => { roleHelp.textContent = ROLE_HELP[roleSelect.value]; picker.forRole(roleSelect.value); };
  roleSelect.addEventListener("change", follow);
  follow();
  return {
    nodes: [h("div", { class: "field" }, h("label", { for: roleSelect.id }, "Role"), roleSelect, roleHelp), picker.node],
    value: () => ({ role: roleSelect.value, ...(roleSelect.value === "member" ? picker.value() : { chatbotScope: "all", chatbotPermissions: [] }) }),
  };
}

function inviteDialog(prefill = {}) {
  const rs = roleAndScope("invite", prefill);
  openDialog({
    id: "invite-dialog",
    title: "Invite member",
    submitLabel: "Send",
    body: [
      h("div", { class: "field" }, h("label", { for: "invite-email" }, "Email"),
        h("input", { id: "invite-email", name: "email", type: "email", autocomplete: "off", required: true, autofocus: true, value: prefill.email || "" })),
      rs.nodes,
    ],
    onSubmit: async (form) => {
      const body = { email: form.elements.email.value.trim(), ...rs.value() };
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

const splitEmails = (text) => text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

function bulkInviteDialog() {
  const rs = roleAndScope("bulk", {});
  const results = h("div", { class: "bulk-results", role: "status", "aria-live": "polite" });
  openDialog({
    id: "bulk-dialog",
    title: "Invite several people",
    submitLabel: "Send invitations",
    body: [
      results,
      h("div", { class: "field" }, h("label", { for: "bulk-emails" }, "Email addresses"),
        h("textarea", { id: "bulk-emails", name: "emails", autofocus: true, "aria-describedby": "bulk-emails-help" }),
        h("p", { class: "hint", id: "bulk-emails-help" }, "One per line, or separated by commas; up to 100. Everyone gets the same role and chatbot access.")),
      rs.nodes,
    ],
    onSubmit: async (form) => {
      const emails = splitEmails(form.elements.emails.value);
      let r;
      try {
        r = await busy(form, () => post(`${base}/invitations/bulk`, { emails, ...rs.value() }));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      await refresh();
      if (r.failed === 0) {
        toast(r.invited === 1 ? `Invitation sent to ${emails[0]}.` : `Invitations sent to ${r.invited} people.`);
        return true;
      }
      // Keep the dialog open on what needs attention: the failed addresses stay in the box to fix and resend.
      form.elements.emails.value = r.results.filter((x) => x.status === "failed").map((x) => x.email).join("\n");
      replace(results,
        h("p", {}, `${r.invited} sent, ${r.failed} not sent. The addresses that were not sent are left in the box below to fix and send again.`),
        h("ul", { class: "bulk-list" }, r.results.map((x) => h("li", { class: x.status === "invited" ? "ok" : "failed" },
          h("span", { class: "clip", title: x.email }, x.email), " — ", x.status === "invited" ? "invited" : x.error.message))));
      results.scrollIntoView({ block: "nearest" });
      return false;
    },
  });
}

function table(caption, headers, rows) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden-label" }, caption),
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

async function loadMore(kind) {
  const list = lists[kind];
  try {
    const next = await fetchPage(kind, list.nextCursor);
    const firstNew = list.items.length;
    // Only the first page carries the total (the server does not count the org again per page).
    lists[kind] = { items: [...list.items, ...next.items], total: next.total ?? list.total, nextCursor: next.nextCursor };
    renderLists();
    // Focus the first row that just arrived, so keyboard users carry on where they were.
    document.querySelectorAll(`#${kind}-list tbody tr`)[firstNew]?.querySelector("button, td")?.focus();
  } catch (err) {
    if (!redirectIfSignedOut(err)) toast(err.message, "error");
  }
}

function moreButton(kind) {
  const list = lists[kind];
  if (!list.nextCursor) return null;
  return h("div", { class: "load-more" }, h("button", { type: "button", class: "btn", onclick: () => loadMore(kind) },
    `Load more (${list.items.length} of ${list.total} shown)`));
}

function renderLists() {
  const mayInvite = can("members.invite") && !ctx.scimManaged;
  const q = view.query;
  const m = lists.members;
  replace(document.getElementById("members-section"),
    h("div", { class: "card-head" }, h("h2", { id: "members-h", tabindex: "-1" }, q ? "Matching members" : "Members", h("span", { class: "count" }, m.total))),
    m.items.length
      ? h("div", { id: "members-list" }, table("Members", ["Name", "Email", "Role", "Last active", "Chatbot scope", h("span", { class: "visually-hidden-label" }, "Actions")],
        m.items.map(memberRow)))
      : h("p", { class: "empty" }, `No one matches “${q}”. Check the spelling, search by email, or clear the search.`),
    moreButton("members"));
  const inv = lists.invitations;
  replace(document.getElementById("pending-section"),
    h("div", { class: "card-head" }, h("h2", { id: "pending-h", tabindex: "-1" }, "Pending invitations", h("span", { class: "count" }, inv.total))),
    inv.items.length
      ? h("div", { id: "invitations-list" }, table("Pending invitations", ["Email", "Role", "Invited by", "Sent", "Expires", h("span", { class: "visually-hidden-label" }, "Actions")],
        inv.items.map(invitationRow)))
      : h("p", { class: "empty" }, q ? `No pending invitation matches “${q}”.`
        : mayInvite ? "No pending invitations. Use “Invite member” to add someone, or “Invite several” to paste a list of addresses."
          : ctx.scimManaged ? "No pending invitations: people are added by your identity provider." : "No pending invitations."),
    moreButton("invitations"));
}

function render() {
  if (document.getElementById("members-section")) return renderLists();
  const mayInvite = can("members.invite") && !ctx.scimManaged;
  const search = h("input", { type: "search", id: "member-search", placeholder: "Name or email", value: view.query, autocomplete: "off" });
  const sort = h("select", { id: "member-sort" }, SORTS.map(([v, label]) => h("option", { value: v, selected: v === view.sort }, label)));
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { view.query = search.value.trim(); refresh(); }, 250);
  });
  sort.addEventListener("change", () => { view.sort = sort.value; refresh(); });
  replace(ctx.main,
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, "Members"), h("p", { class: "lede" }, `People in ${ctx.org.name} and what they can do.`)),
      mayInvite ? h("div", { class: "row-actions" },
        h("button", { type: "button", class: "btn", id: "bulk-invite-button", onclick: () => bulkInviteDialog() }, "Invite several"),
        h("button", { type: "button", class: "btn primary", id: "invite-button", onclick: () => inviteDialog() }, "Invite member")) : null),
    ctx.scimManaged ? h("div", { class: "notice info" }, "Members of this organization are managed by your identity provider (SCIM). Add, remove and re-role people there.") : null,
    h("form", { class: "list-tools", role: "search", onsubmit: (ev) => { ev.preventDefault(); clearTimeout(timer); view.query = search.value.trim(); refresh(); } },
      h("div", { class: "field" }, h("label", { for: "member-search" }, "Search members and invitations"), search),
      h("div", { class: "field" }, h("label", { for: "member-sort" }, "Sort members by"), sort)),
    h("section", { class: "card", id: "members-section", "aria-labelledby": "members-h" }),
    h("section", { class: "card", id: "pending-section", "aria-labelledby": "pending-h" }));
  renderLists();
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
