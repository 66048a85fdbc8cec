// /app: where sign-in lands. One organization: straight into it; several: pick one; none: say so.
import { get, redirectIfSignedOut } from "./api.js";
import { $, h, replace, roleLabel } from "./dom.js";
import { brand, userMenu } from "./shell.js";

const main = $("#main");

(async () => {
  const me = await get("/api/me");
  const active = me.memberships.filter((m) => m.status === "active");
  let last = null;
  try { last = localStorage.getItem("roster.lastOrg"); } catch { /* private mode */ }
  if (active.length === 1) return location.replace(`/orgs/${encodeURIComponent(active[0].orgId)}`);
  replace($("#topbar"), h("div", { class: "topbar-inner" }, brand(), h("span", { class: "spacer" }), userMenu(me)));
  if (active.length === 0) {
    return replace(main, h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "No organization yet"),
      h("p", { class: "lede" }, `You are signed in as ${me.user.email}, but not a member of any organization. Ask an administrator for an invitation, then open the link in the email.`))));
  }
  active.sort((a, b) => (b.orgId === last) - (a.orgId === last));
  replace(main,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Your organizations"), h("p", { class: "lede" }, "Choose the organization to work in."))),
    h("div", { class: "card" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Organization"), h("th", {}, "Plan"), h("th", {}, "Your role"))),
      h("tbody", {}, active.map((m) => h("tr", {},
        h("td", { "data-label": "Organization" }, h("a", { href: `/orgs/${encodeURIComponent(m.orgId)}` }, m.orgName)),
        h("td", { "data-label": "Plan", class: "muted" }, m.plan),
        h("td", { "data-label": "Your role" }, h("span", { class: `pill role-${m.role}` }, roleLabel(m.role)))))))));
})().catch((err) => {
  if (!redirectIfSignedOut(err)) replace(main, h("div", { class: "notice error", role: "alert" }, err.message));
});
