// Audit log: newest first, filterable by action, actor, person affected and dates, paged with
// "Load more"; "Export CSV" downloads every matching event (the server streams it).
import { ApiError, get } from "./api.js";
import { $, h, relativeTime, replace, roleLabel, showErrors, clearErrors } from "./dom.js";
import { orgPage } from "./shell.js";

const KNOWN_ACTIONS = ["org.created", "invitation.created", "invitation.resent", "invitation.revoked", "invitation.accepted",
  "member.added", "member.role_changed", "member.suspended", "member.reactivated", "member.removed", "member.change_refused",
  "chatbot.created", "chatbot.renamed", "chatbot.deleted", "conversation.assigned", "auth.break_glass_sign_in", "sso.sign_in", "sso.sign_in_refused", "sso.jit_created",
  "sso_connection.created", "sso_connection.updated", "sso_connection.deleted", "scim_token.created", "scim_token.revoked",
  "member.*", "invitation.*", "chatbot.*", "sso.*", "scim.*"];

const TEXT_FILTERS = ["action", "actor", "affected"];
const DATE_FILTERS = ["from", "to"];

/** A yyyy-mm-dd from a date input as the instant its day starts in this browser's time zone. */
function dayStart(value, plusDays = 0) {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The API query for the form: dates become [start of "from", start of the day after "to"). */
function filterQuery(form) {
  const q = new URLSearchParams();
  for (const k of TEXT_FILTERS) if (form.elements[k].value.trim()) q.set(k, form.elements[k].value.trim());
  if (form.elements.from.value) q.set("from", dayStart(form.elements.from.value));
  if (form.elements.to.value) q.set("to", dayStart(form.elements.to.value, 1));
  return q;
}

/** The page's own address keeps what was typed (days, not instants), so a reload shows the same filter. */
function pageQuery(form) {
  const q = new URLSearchParams();
  for (const k of [...TEXT_FILTERS, ...DATE_FILTERS]) if (form.elements[k].value.trim()) q.set(k, form.elements[k].value.trim());
  return q;
}

const party = (p) => (p ? p.name || p.email || p.type || "—" : "—");

function details(e) {
  const m = e.metadata || {};
  const bits = [];
  if (m.oldRole && m.newRole) bits.push(`${roleLabel(m.oldRole)} → ${roleLabel(m.newRole)}`);
  else if (m.role) bits.push(`Role: ${roleLabel(m.role)}`);
  if (typeof m.oldName === "string" && typeof m.newName === "string") bits.push(`“${m.oldName}” → “${m.newName}”`);
  if (typeof m.conversationsDeleted === "number" && m.conversationsDeleted) bits.push(`${m.conversationsDeleted} conversation(s) deleted`);
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
  const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || "") ? v : "");
  const exportLink = h("a", { class: "btn", id: "export-csv", href: `${api}/export.csv`, download: "" }, "Export CSV");
  const form = h("form", { class: "card card-body filters", role: "search", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "filter-row" },
      h("div", { class: "field" }, h("label", { for: "f-action" }, "Action"),
        h("input", { id: "f-action", name: "action", type: "search", list: "known-actions", placeholder: "e.g. member.removed or member.*", value: params.get("action") || "" }),
        h("datalist", { id: "known-actions" }, KNOWN_ACTIONS.map((a) => h("option", { value: a })))),
      h("div", { class: "field" }, h("label", { for: "f-actor" }, "Actor"),
        h("input", { id: "f-actor", name: "actor", type: "search", placeholder: "Email, user id, or system / scim", value: params.get("actor") || "" })),
      h("div", { class: "field" }, h("label", { for: "f-affected" }, "Person affected"),
        h("input", { id: "f-affected", name: "affected", type: "search", placeholder: "Email or id", value: params.get("affected") || "" })),
      h("div", { class: "field" }, h("label", { for: "f-from" }, "From"),
        h("input", { id: "f-from", name: "from", type: "date", value: day(params.get("from")) })),
      h("div", { class: "field" }, h("label", { for: "f-to" }, "To"),
        h("input", { id: "f-to", name: "to", type: "date", value: day(params.get("to")) })),
      h("div", { class: "filter-actions" }, h("button", { class: "btn primary", type: "submit" }, "Filter"),
        h("a", { class: "btn", href: location.pathname }, "Clear"), exportLink)));
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
    const q = filterQuery(form);
    const fq = q.toString();
    exportLink.href = `${api}/export.csv${fq ? `?${fq}` : ""}`;
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
    clearErrors(form);
    if (form.elements.from.value && form.elements.to.value && form.elements.from.value > form.elements.to.value) {
      showErrors(form, new ApiError(400, { error: { message: "The end date must be on or after the start date.",
        fields: [{ field: "to", message: "must be on or after the start date" }] } }));
      return;
    }
    const q = pageQuery(form);
    history.replaceState(null, "", `${location.pathname}${q.size ? `?${q}` : ""}`);
    load(false);
  });
  more.addEventListener("click", () => load(true));
  await load(false);
})();
