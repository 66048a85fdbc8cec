// Audit log: newest first, filterable by action and actor, paged with "Load more".
import { get } from "./api.js";
import { $, h, relativeTime, replace, roleLabel, showErrors, clearErrors } from "./dom.js";
import { orgPage } from "./shell.js";

const KNOWN_ACTIONS = ["org.created", "invitation.created", "invitation.resent", "invitation.revoked", "invitation.accepted",
  "member.added", "member.role_changed", "member.suspended", "member.reactivated", "member.removed", "member.change_refused",
  "chatbot.created", "conversation.assigned", "auth.break_glass_sign_in", "sso.sign_in", "sso.sign_in_refused", "sso.jit_created",
  "sso_connection.created", "sso_connection.updated", "sso_connection.deleted", "scim_token.created", "scim_token.revoked",
  "member.*", "invitation.*", "sso.*", "scim.*"];

const party = (p) => (p ? p.name || p.email || p.type || "—" : "—");

function details(e) {
  const m = e.metadata || {};
  const bits = [];
  if (m.oldRole && m.newRole) bits.push(`${roleLabel(m.oldRole)} → ${roleLabel(m.newRole)}`);
  else if (m.role) bits.push(`Role: ${roleLabel(m.role)}`);
  if (m.via) bits.push(`via ${m.via}`);
  if (typeof m.conversationsRequeued === "number") bits.push(`${m.conversationsRequeued} conversation(s) back to the queue`);
  if (typeof m.grantsRevoked === "number" && m.grantsRevoked) bits.push(`${m.grantsRevoked} chatbot permission(s) revoked`);
  if (Array.isArray(m.chatbotPermissions) && m.chatbotPermissions.length) bits.push(`${m.chatbotPermissions.length} chatbot permission(s)`);
  if (m.reason) bits.push(`Reason: ${m.reason}`);
  return bits.join(" · ");
}

function target(e) {
  const t = e.target || {};
  return t.name || t.email || t.type || "—";
}

function eventRow(e) {
  return h("tr", {},
    h("td", { "data-label": "When" }, relativeTime(e.createdAt)),
    h("td", { "data-label": "Actor" }, h("div", { class: "person" }, h("span", {}, party(e.actor)),
      e.actor && e.actor.email && e.actor.name ? h("span", { class: "muted small" }, e.actor.email) : null)),
    h("td", { "data-label": "Action" }, h("code", {}, e.action)),
    h("td", { "data-label": "Target" }, target(e)),
    h("td", { "data-label": "Details", class: "small" }, details(e) || h("span", { class: "muted" }, "—")));
}

(async () => {
  const ctx = await orgPage("audit");
  if (!ctx) return;
  const api = `/api/orgs/${encodeURIComponent(ctx.orgId)}/audit-events`;
  if (!ctx.perms.has("audit.read")) {
    replace(ctx.main, h("h1", {}, "Audit log"), h("div", { class: "notice warn" }, "Your role does not let you read the audit log."));
    return;
  }
  const params = new URLSearchParams(location.search);
  const form = h("form", { class: "card card-body filters", role: "search", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "filter-row" },
      h("div", { class: "field" }, h("label", { for: "f-action" }, "Action"),
        h("input", { id: "f-action", name: "action", type: "search", list: "known-actions", placeholder: "e.g. member.removed or member.*", value: params.get("action") || "" }),
        h("datalist", { id: "known-actions" }, KNOWN_ACTIONS.map((a) => h("option", { value: a })))),
      h("div", { class: "field" }, h("label", { for: "f-actor" }, "Actor"),
        h("input", { id: "f-actor", name: "actor", type: "search", placeholder: "Email, user id, or system / scim", value: params.get("actor") || "" })),
      h("div", { class: "filter-actions" }, h("button", { class: "btn primary", type: "submit" }, "Filter"),
        h("a", { class: "btn", href: location.pathname }, "Clear"))));
  const body = h("tbody", {});
  const more = h("button", { class: "btn", type: "button", hidden: true }, "Load more");
  const empty = h("p", { class: "empty", hidden: true }, "No events match.");
  const events = h("section", { class: "card", "aria-label": "Events" },
    h("table", {}, h("thead", {}, h("tr", {}, ["When", "Actor", "Action", "Target", "Details"].map((t) => h("th", { scope: "col" }, t)))), body),
    empty, h("div", { class: "card-body load-more" }, more));
  replace(ctx.main,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Audit log"), h("p", { class: "lede" }, `Everything that changed in ${ctx.org.name}, newest first.`))),
    form, events);

  let cursor = null;
  async function load(append) {
    const q = new URLSearchParams();
    for (const k of ["action", "actor"]) if (form.elements[k].value.trim()) q.set(k, form.elements[k].value.trim());
    if (append && cursor) q.set("cursor", cursor);
    q.set("limit", "50");
    clearErrors(form);
    events.setAttribute("aria-busy", "true");
    try {
      const page = await get(`${api}?${q}`);
      if (!append) body.replaceChildren();
      body.append(...page.events.map(eventRow));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = body.children.length > 0;
    } catch (err) {
      showErrors(form, err);
    } finally {
      events.removeAttribute("aria-busy");
    }
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ["action", "actor"]) if (form.elements[k].value.trim()) q.set(k, form.elements[k].value.trim());
    history.replaceState(null, "", `${location.pathname}${q.size ? `?${q}` : ""}`);
    load(false);
  });
  more.addEventListener("click", () => load(true));
  await load(false);
})();
