// The frame of every page inside an organization: top bar with the org switcher, tabs that
// appear only with the permission behind them, and sign-out. Loads /api/me and /api/orgs/:orgId.
import { ApiError, get, post, redirectIfSignedOut } from "./api.js";
import { $, busy, h, replace, showErrors } from "./dom.js";
import { openDialog } from "./dialog.js";

export const brand = () => h("a", { class: "brand", href: "/app" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "R"), "Roster");

export function orgIdFromPath() {
  const m = /^\/orgs\/([^/]+)/.exec(location.pathname);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function signOut() {
  try { await post("/api/auth/signout"); } finally { location.assign("/login"); }
}

/** Ends every session of the account (other browsers and devices too), after a confirmation. */
function confirmSignOutEverywhere(me) {
  openDialog({
    id: "signout-everywhere",
    title: "Sign out everywhere?",
    description: `Every browser and device signed in as ${me.user.email}, this one included, will have to sign in again.`,
    submitLabel: "Sign out everywhere",
    submitClass: "danger",
    onSubmit: async (form) => {
      try {
        await busy(form, () => post("/api/auth/signout-everywhere"));
      } catch (err) {
        showErrors(form, err);
        return false;
      }
      location.assign("/login?signedOut=everywhere");
      return true;
    },
  });
}

/** The account menu of the top bar: who is signed in, sign out, and (folded) sign out everywhere. */
export function userMenu(me) {
  const who = me.user.name || me.user.email;
  const more = h("details", { class: "account-menu" },
    h("summary", { title: me.user.email }, who),
    h("div", { class: "account-menu-panel" },
      h("p", { class: "muted small" }, me.user.email),
      h("button", { class: "btn small", type: "button", onclick: () => { more.open = false; confirmSignOutEverywhere(me); } }, "Sign out everywhere")));
  return h("div", { class: "user-menu" }, more,
    h("button", { class: "btn small", type: "button", onclick: signOut }, "Sign out"));
}

function orgSwitcher(me, orgId, org) {
  const active = me.memberships.filter((m) => m.status === "active");
  if (active.length < 2) return h("span", { class: "org-name" }, org.name);
  const rest = location.pathname.replace(/^\/orgs\/[^/]+/, "");
  const select = h("select", { id: "org-switch", onchange: () => location.assign(`/orgs/${encodeURIComponent(select.value)}${rest}`) },
    active.map((m) => h("option", { value: m.orgId, selected: m.orgId === orgId }, m.orgName)));
  return h("div", { class: "org-switch" }, h("label", { for: "org-switch", class: "visually-hidden-label" }, "Organization"), select);
}

function tabs(orgId, perms, active) {
  const base = `/orgs/${encodeURIComponent(orgId)}`;
  const items = [
    ["overview", "Overview", base, true],
    ["chatbots", "Chatbots", `${base}/chatbots`, perms.has("chatbots.read")],
    ["members", "Members", `${base}/settings/members`, perms.has("members.read")],
    ["sso", "SSO / SCIM", `${base}/settings/sso`, perms.has("sso.manage") || perms.has("scim.manage")],
    ["audit", "Audit log", `${base}/audit`, perms.has("audit.read")],
  ];
  return h("nav", { class: "tabs", "aria-label": "Sections" },
    items.filter((i) => i[3]).map(([key, label, href]) => h("a", { href, "aria-current": key === active ? "page" : null }, label)));
}

function fail(main, title, text) {
  replace(main, h("div", { class: "notice error", role: "alert" }, h("h2", {}, title), h("p", {}, text),
    h("p", {}, h("a", { href: "/app" }, "Go to your organizations"))));
}

/**
 * Renders the frame for the page `active` and returns what the page needs, or null when the
 * org cannot be shown (a readable message is then on the page).
 */
export async function orgPage(active) {
  const orgId = orgIdFromPath();
  const top = $("#topbar");
  const main = $("#main");
  let me;
  let orgInfo;
  try {
    [me, orgInfo] = await Promise.all([get("/api/me"), get(`/api/orgs/${encodeURIComponent(orgId)}`)]);
  } catch (err) {
    if (redirectIfSignedOut(err)) return null;
    if (!me) me = await get("/api/me").catch(() => null);
    if (me) renderTop(top, me, orgId, { name: "Roster", plan: null }, new Set(), active);
    if (err instanceof ApiError && err.code === "org.access_removed") {
      fail(main, err.message, "You were removed from this organization. If you still need access, ask one of its administrators to invite you again.");
    } else if (err instanceof ApiError && err.status === 404) fail(main, "Organization not found", "This organization does not exist or you are no longer a member of it.");
    else fail(main, "This page cannot be shown", err.message);
    return null;
  }
  const perms = new Set(orgInfo.membership.permissions);
  renderTop(top, me, orgId, orgInfo.org, perms, active);
  try { localStorage.setItem("roster.lastOrg", orgId); } catch { /* private mode */ }
  return { orgId, me, org: orgInfo.org, membership: orgInfo.membership, perms, scimManaged: orgInfo.scimManaged, main };
}

function renderTop(top, me, orgId, org, perms, active) {
  replace(top,
    h("div", { class: "topbar-inner" },
      brand(), orgSwitcher(me, orgId, org),
      org.plan ? h("span", { class: "plan-tag" }, `${org.plan[0].toUpperCase()}${org.plan.slice(1)} plan`) : null,
      h("span", { class: "spacer" }),
      userMenu(me)),
    org.plan ? tabs(orgId, perms, active) : null);
  document.title = `${document.title.split(" · ")[0]} · ${org.name}`;
}
