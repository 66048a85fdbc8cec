// Settings → SSO / SCIM (Enterprise): SAML and OIDC connections (sso-connections.js), verified
// domains, the require-SSO switch (with confirmation), SCIM tokens (shown once) and group-to-role mappings. Other plans see
// what Enterprise offers.
import { ApiError, del, get, patch, post } from "./api.js";
import { busy, clearErrors, formValues, h, relativeTime, replace, roleLabel, showErrors, toast } from "./dom.js";
import { openDialog } from "./dialog.js";
import { orgPage } from "./shell.js";
import { addConnectionDialog, connectionCard, copy, copyField, field, initConnections, loadGuides } from "./sso-connections.js";

let ctx;
let base;

function section(id, title, intro, ...content) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("div", { class: "card-head" }, h("div", {}, h("h2", { id }, title), intro ? h("p", { class: "hint" }, intro) : null)),
    ...content);
}

function upsell() {
  return section("enterprise-h", "Single sign-on and SCIM are part of the Enterprise plan", null,
    h("div", { class: "card-body upsell" },
      h("p", {}, `${ctx.org.name} is on the ${ctx.org.plan} plan. On Enterprise you get:`),
      h("ul", {},
        h("li", {}, "Sign-in through your identity provider with SAML 2.0 or OpenID Connect (Okta, Entra ID, Google Workspace, OneLogin, JumpCloud, Keycloak…)"),
        h("li", {}, "Verified domains, so people are sent to your identity provider when they type their email"),
        h("li", {}, "Require SSO for everyone (Owners keep an audited break-glass password sign-in)"),
        h("li", {}, "Just-in-time accounts for new people with a default role"),
        h("li", {}, "SCIM 2.0 provisioning: your identity provider adds, suspends and removes members and sets roles from groups")),
      h("p", { class: "muted" }, "Contact your account manager to upgrade.")));
}

/* ---------- Domains and enforcement ---------- */

function domainRow(d) {
  return h("tr", { dataset: { domain: d.domain } },
    h("td", { "data-label": "Domain" }, h("strong", {}, d.domain)),
    h("td", { "data-label": "Status" }, d.verified ? h("span", { class: "badge ok" }, "Verified") : h("span", { class: "badge expired" }, "Not verified")),
    h("td", { "data-label": "DNS record" }, d.verified ? h("span", { class: "muted" }, d.verifiedAt ? `since ${new Date(d.verifiedAt).toLocaleDateString()}` : "")
      : h("div", { class: "person" }, h("span", { class: "small" }, `TXT ${d.verification.name}`),
        h("span", { class: "mono small" }, d.verification.value, " ",
          h("button", { type: "button", class: "btn link small", "aria-label": `Copy TXT value for ${d.domain}`, onclick: () => copy(d.verification.value, "TXT value") }, "Copy")))),
    h("td", { class: "actions" }, h("div", { class: "row-actions" },
      d.verified ? null : h("button", { type: "button", class: "btn small", onclick: (ev) => verifyDomain(d, ev.currentTarget) }, "Check now"),
      h("button", { type: "button", class: "btn small", "aria-label": `Remove ${d.domain}`, onclick: () => removeDomain(d) }, "Remove"))));
}

async function verifyDomain(d, button) {
  button.disabled = true;
  try {
    const r = await post(`${base}/domains/${d.id}/verify`);
    await renderSso();
    toast(r.domain.verified ? `${d.domain} is verified.` : `No matching TXT record found for ${d.domain} yet.`, r.domain.verified ? "ok" : "error");
  } catch (err) {
    button.disabled = false;
    button.closest("td").append(h("p", { class: "field-error", role: "alert" }, err.message));
  }
}

function removeDomain(d) {
  openDialog({
    id: "remove-domain", title: `Remove ${d.domain}?`, submitLabel: "Remove domain", submitClass: "danger",
    description: "People with this email domain are no longer sent to single sign-on when they sign in.",
    onSubmit: async (form) => {
      try { await busy(form, () => del(`${base}/domains/${d.id}`)); } catch (err) { showErrors(form, err); return false; }
      await renderSso();
      return true;
    },
  });
}

function addDomainForm() {
  const form = h("form", { class: "inline-form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "field" }, h("label", { for: "new-domain" }, "Add a domain"),
      h("div", { class: "copy-row" }, h("input", { id: "new-domain", name: "domain", type: "text", placeholder: "example.com", required: true }),
        h("button", { class: "btn", type: "submit" }, "Add domain"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      const { domain } = formValues(form);
      await busy(form, () => post(`${base}/domains`, { domain }));
      await renderSso();
    } catch (err) { showErrors(form, err); }
  });
  return form;
}

/** Turning it on asks for confirmation and says how many members must use SSO from their next request. */
function requireSsoSwitch(settings) {
  const box = h("input", { type: "checkbox", id: "require-sso", role: "switch", checked: settings.requireSso, "aria-describedby": "require-sso-hint" });
  const err = h("p", { class: "field-error", role: "alert", hidden: true });
  const fail = (message) => { box.checked = !box.checked; err.textContent = message; err.hidden = false; };
  const apply = async (requireSso) => {
    const r = await patch(`${base}/sso-settings`, { requireSso });
    box.checked = r.requireSso;
    toast(r.requireSso ? "Single sign-on is now required." : "Password sign-in is allowed again.");
  };
  box.addEventListener("change", async () => {
    err.hidden = true;
    const wanted = box.checked;
    box.disabled = true;
    try {
      if (!wanted) return await apply(false);
      const preview = await get(`${base}/sso-settings/require-preview`);
      if (preview.problems.length) return fail(preview.problems.map((p) => p.message).join(" "));
      box.checked = false;
      const n = preview.affectedMembers;
      openDialog({
        id: "require-sso-confirm", title: "Require single sign-on?", submitLabel: "Require SSO",
        description: `${n === 1 ? "1 member" : `${n} members`} will have to sign in with SSO from their next request. `
          + `Owners (${preview.ownersKeepingPassword}) keep a password sign-in for emergencies; each use is recorded in the audit log.`,
        onSubmit: async (form) => {
          try { await busy(form, () => apply(true)); } catch (e) { showErrors(form, e); return false; }
          return true;
        },
      });
    } catch (e) {
      fail(e.message);
    } finally { box.disabled = false; }
  });
  return h("div", { class: "card-body" },
    h("label", { class: "check", for: "require-sso" }, box, "Require single sign-on"),
    h("p", { class: "hint", id: "require-sso-hint" }, "Everyone must sign in through your identity provider. Needs a verified domain and a tested, enabled connection. Owners keep a password sign-in for emergencies; each use is recorded in the audit log."),
    err);
}

const ssoSection = h("div", { id: "sso-section" });

async function renderSso() {
  if (!ctx.perms.has("sso.manage")) return replace(ssoSection);
  let connections; let domains; let settings;
  try {
    let guides;
    [{ connections }, { domains }, settings, guides] = await Promise.all([get(`${base}/sso-connections`), get(`${base}/domains`), get(`${base}/sso-settings`), loadGuides(base)]);
    initConnections({ base, ctx, refresh: renderSso, guides });
  } catch (err) {
    return replace(ssoSection, section("sso-h", "Single sign-on", null, h("div", { class: "card-body" },
      h("div", { class: "notice warn", role: "status" }, err.status === 404 ? "Single sign-on settings are not available on this server yet." : err.message))));
  }
  replace(ssoSection,
    section("sso-h", "Single sign-on", "Let people sign in through your identity provider.",
      h("div", { class: "card-body" },
        connections.length ? connections.map(connectionCard) : h("p", { class: "muted" }, "No connection yet."),
        h("div", { class: "form-actions start" },
          h("button", { type: "button", class: "btn primary", onclick: () => addConnectionDialog() }, "Add connection")))),
    section("domains-h", "Verified domains", "People whose email is on a verified domain are sent to single sign-on when they sign in. Verify a domain by adding the TXT record shown, then Check now.",
      domains.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Domain", "Status", "DNS record", ""].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, domains.map(domainRow)))
        : h("p", { class: "empty" }, "No domain yet."),
      h("div", { class: "card-body" }, addDomainForm())),
    section("enforce-h", "Enforcement", null, requireSsoSwitch(settings)));
}

/* ---------- SCIM ---------- */

const scimSection = h("div", { id: "scim-section" });
let freshToken = null;

function tokenRow(t) {
  return h("tr", { dataset: { tokenId: t.id } },
    h("td", { "data-label": "Name" }, t.name),
    h("td", { "data-label": "Token", class: "mono small" }, `${t.prefix}…`),
    h("td", { "data-label": "Created" }, relativeTime(t.createdAt)),
    h("td", { "data-label": "Last used" }, relativeTime(t.lastUsedAt)),
    h("td", { "data-label": "Status" }, t.revokedAt ? h("span", { class: "badge off" }, "Revoked") : h("span", { class: "badge ok" }, "Active")),
    h("td", { class: "actions" }, t.revokedAt ? null : h("button", { type: "button", class: "btn small", "aria-label": `Revoke ${t.name}`, onclick: () => revokeToken(t) }, "Revoke")));
}

function revokeToken(t) {
  openDialog({
    id: "revoke-token", title: `Revoke ${t.name}?`, submitLabel: "Revoke token", submitClass: "danger",
    description: "Your identity provider can no longer provision with it. Create a new token first if you are rotating.",
    onSubmit: async (form) => {
      try { await busy(form, () => del(`${base}/scim-tokens/${t.id}`)); } catch (err) { showErrors(form, err); return false; }
      await renderScim();
      toast(`${t.name} was revoked.`);
      return true;
    },
  });
}

function createTokenForm() {
  const form = h("form", { class: "inline-form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "field" }, h("label", { for: "token-name" }, "New token name"),
      h("div", { class: "copy-row" }, h("input", { id: "token-name", name: "name", type: "text", placeholder: "Okta", required: true }),
        h("button", { class: "btn primary", type: "submit" }, "Create token"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const { name } = formValues(form);
    const created = async (r) => {
      freshToken = r.token;
      await renderScim();
      document.getElementById("fresh-token")?.focus();
    };
    try {
      await created(await busy(form, () => post(`${base}/scim-tokens`, { name: name || undefined })));
    } catch (err) {
      // The first token turns SCIM on: the server asks for an explicit yes (scim.confirmation_required).
      if (err instanceof ApiError && err.code === "scim.confirmation_required") return confirmScimTurnOn(name, created);
      showErrors(form, err);
    }
  });
  return form;
}

function confirmScimTurnOn(name, created) {
  openDialog({
    id: "scim-turn-on", title: "Turn on SCIM provisioning?", submitLabel: "Turn on SCIM", submitClass: "primary",
    description: "This is the first SCIM token: creating it hands invitations and manual role changes to your identity provider.",
    body: [h("ul", { class: "consequences" },
      h("li", {}, "People are added, re-roled, suspended and removed in your identity provider, not here."),
      h("li", {}, "The Members page stops offering invitations and role changes while a token is active."),
      h("li", {}, "Revoking every token turns SCIM off again."))],
    onSubmit: async (form) => {
      try {
        const r = await busy(form, () => post(`${base}/scim-tokens`, { name: name || undefined, confirm: true }));
        form.closest("dialog").close();
        await created(r);
      } catch (err) { showErrors(form, err); }
      return false;
    },
  });
}

function mappingRow(m, chatbots) {
  const names = new Map(chatbots.map((b) => [b.id, b.name]));
  return h("tr", {},
    h("td", { "data-label": "Group" }, m.groupName),
    h("td", { "data-label": "Role" }, h("span", { class: `pill role-${m.role}` }, roleLabel(m.role))),
    h("td", { "data-label": "Chatbot access" }, m.chatbotPermissions && m.chatbotPermissions.length
      ? h("div", { class: "scope" }, m.chatbotPermissions.map((g) => h("span", {}, `${names.get(g.chatbotId) || "Chatbot"} · ${g.access}`)))
      : h("span", { class: "muted" }, "By role")),
    h("td", { class: "actions" }, h("button", { type: "button", class: "btn small", "aria-label": `Remove mapping for ${m.groupName}`, onclick: () => removeMapping(m) }, "Remove")));
}

function removeMapping(m) {
  openDialog({
    id: "remove-mapping", title: `Remove the mapping for ${m.groupName}?`, submitLabel: "Remove mapping", submitClass: "danger",
    description: "Members of this group keep the role they have until the identity provider sends a change.",
    onSubmit: async (form) => {
      try { await busy(form, () => del(`${base}/scim-group-mappings/${m.id}`)); } catch (err) { showErrors(form, err); return false; }
      await renderScim();
      return true;
    },
  });
}

function mappingForm() {
  const roles = ["member", "admin", "owner"].filter((r) => r !== "owner" || ctx.membership.role === "owner");
  const form = h("form", { class: "inline-form grid-3", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field("group-name", "Group name", h("input", { id: "group-name", name: "groupName", type: "text", placeholder: "Roster Admins", required: true })),
    field("group-role", "Role", h("select", { id: "group-role", name: "role" }, roles.map((r) => h("option", { value: r }, roleLabel(r))))),
    h("div", { class: "field end" }, h("button", { class: "btn", type: "submit" }, "Add mapping")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      const body = formValues(form);
      await busy(form, () => post(`${base}/scim-group-mappings`, body));
      await renderScim();
    } catch (err) { showErrors(form, err); }
  });
  return form;
}

async function renderScim() {
  if (!ctx.perms.has("scim.manage")) return replace(scimSection);
  let tokens; let scimBaseUrl; let mappings; let chatbots;
  try {
    [{ tokens, scimBaseUrl }, { mappings }, { chatbots }] = await Promise.all([
      get(`${base}/scim-tokens`), get(`${base}/scim-group-mappings`), get(`${base}/chatbots`)]);
  } catch (err) {
    return replace(scimSection, section("scim-h", "SCIM provisioning", null, h("div", { class: "card-body" },
      h("div", { class: "notice warn", role: "status" }, err.status === 404 ? "SCIM settings are not available on this server yet." : err.message))));
  }
  const shown = freshToken;
  freshToken = null;
  replace(scimSection,
    section("scim-h", "SCIM provisioning", "Your identity provider adds, updates, suspends and removes members. While a token is active, members are managed there, not here.",
      h("div", { class: "card-body" },
        copyField("scim-base", "SCIM base URL", scimBaseUrl),
        shown ? h("div", { class: "secret", role: "status" },
          h("p", {}, h("strong", {}, "Copy this token now: it is shown only once.")),
          h("div", { class: "copy-row" }, h("input", { id: "fresh-token", type: "text", readonly: true, value: shown, "aria-label": "New SCIM token" }),
            h("button", { type: "button", class: "btn small", onclick: () => copy(shown, "Token") }, "Copy"))) : null,
        createTokenForm()),
      tokens.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Name", "Token", "Created", "Last used", "Status", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, tokens.map(tokenRow))) : h("p", { class: "empty" }, "No token yet.")),
    section("groups-h", "Group to role mapping", "Members of these groups (pushed by your identity provider) get the role. The highest role wins.",
      mappings.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Group", "Role", "Chatbot access", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, mappings.map((m) => mappingRow(m, chatbots)))) : h("p", { class: "empty" }, "No mapping yet."),
      h("div", { class: "card-body" }, mappingForm())));
}

(async () => {
  ctx = await orgPage("sso");
  if (!ctx) return;
  base = `/api/orgs/${encodeURIComponent(ctx.orgId)}`;
  const head = h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "SSO / SCIM"),
    h("p", { class: "lede" }, "Single sign-on and automatic provisioning from your identity provider.")));
  if (ctx.org.plan !== "enterprise") return replace(ctx.main, head, upsell());
  if (!ctx.perms.has("sso.manage") && !ctx.perms.has("scim.manage")) {
    return replace(ctx.main, head, h("div", { class: "notice warn" }, "Your role does not let you change these settings."));
  }
  replace(ctx.main, head, ssoSection, scimSection);
  await Promise.all([renderSso(), renderScim()]);
})();
