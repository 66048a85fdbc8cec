// Settings → SSO / SCIM (Enterprise): SAML and OIDC connections, verified domains, the
// require-SSO switch, SCIM tokens (shown once) and group-to-role mappings. Other plans see
// what Enterprise offers.
import { del, get, patch, post } from "./api.js";
import { busy, clearErrors, exactTime, formValues, h, relativeTime, replace, roleLabel, showErrors, toast } from "./dom.js";
import { openDialog } from "./dialog.js";
import { orgPage } from "./shell.js";

let ctx;
let base;

const field = (id, label, input, hint) => h("div", { class: "field" }, h("label", { for: id }, label), input,
  hint ? h("p", { class: "hint" }, hint) : null);

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h("textarea", { class: "visually-hidden-label" }, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  toast(`${what} copied.`);
}

/** A read-only value with a Copy button. */
function copyField(id, label, value) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("div", { class: "copy-row" }, h("input", { id, type: "text", readonly: true, value }),
      h("button", { type: "button", class: "btn small", "aria-label": `Copy ${label}`, onclick: () => copy(value, label) }, "Copy")));
}

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

/* ---------- SSO connections ---------- */

function certRows(certs) {
  if (!certs.length) return h("p", { class: "muted" }, "No certificate.");
  return h("table", { class: "inner" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Signing certificate"), h("th", { scope: "col" }, "Expires"))),
    h("tbody", {}, certs.map((c) => h("tr", {},
      h("td", { "data-label": "Certificate" }, h("div", { class: "person" }, h("span", {}, c.subject), h("span", { class: "muted small mono" }, c.fingerprintSha256.slice(0, 23) + "…"))),
      h("td", { "data-label": "Expires" }, h("span", { title: exactTime(c.notAfter) }, new Date(c.notAfter).toLocaleDateString(undefined, { dateStyle: "medium" })), " ",
        c.expired ? h("span", { class: "badge expired" }, "Expired") : c.expiresSoon ? h("span", { class: "badge expired" }, "Expires soon") : null)))));
}

function connectionCard(c) {
  const id = c.id.slice(0, 8);
  const details = c.kind === "saml"
    ? [
      h("h3", {}, "Give these to your identity provider"),
      copyField(`acs-${id}`, "ACS URL", c.saml.acsUrl),
      copyField(`entity-${id}`, "Entity ID", c.saml.spEntityId),
      copyField(`meta-${id}`, "Metadata URL", c.saml.metadataUrl),
      h("h3", {}, "Identity provider"),
      h("dl", { class: "kv" }, h("dt", {}, "Entity ID"), h("dd", { class: "mono" }, c.saml.idpEntityId), h("dt", {}, "SSO URL"), h("dd", { class: "mono" }, c.saml.idpSsoUrl),
        h("dt", {}, "IdP-initiated"), h("dd", {}, c.saml.allowIdpInitiated ? "Allowed" : "Not allowed")),
      certRows(c.saml.certificates),
      h("div", { class: "form-actions start" }, h("button", { type: "button", class: "btn small", onclick: () => samlDialog(c) }, "Update IdP settings")),
    ]
    : [
      copyField(`redirect-${id}`, "Redirect URI", c.oidc.redirectUri),
      h("dl", { class: "kv" }, h("dt", {}, "Issuer"), h("dd", { class: "mono" }, c.oidc.issuer), h("dt", {}, "Client ID"), h("dd", { class: "mono" }, c.oidc.clientId),
        h("dt", {}, "Client secret"), h("dd", {}, c.oidc.clientSecretSet ? "Stored (encrypted, never shown)" : "Not set")),
      h("div", { class: "form-actions start" }, h("button", { type: "button", class: "btn small", onclick: () => oidcDialog(c) }, "Update OIDC settings")),
    ];
  return h("article", { class: "connection", "aria-label": `${c.name} connection`, dataset: { connectionId: c.id } },
    h("div", { class: "connection-head" },
      h("div", {}, h("strong", {}, c.name), " ", h("span", { class: "badge off" }, c.kind.toUpperCase()), " ",
        c.enabled ? h("span", { class: "badge ok" }, "Enabled") : h("span", { class: "badge off" }, "Disabled"),
        h("p", { class: "hint" }, c.jitEnabled ? `New people get an account on first sign-in, as ${roleLabel(c.jitRole)}.` : "Only existing members and invited people can sign in.")),
      h("div", { class: "row-actions" },
        h("button", { type: "button", class: "btn small", onclick: () => setEnabled(c, !c.enabled) }, c.enabled ? "Disable" : "Enable"),
        h("button", { type: "button", class: "btn small", "aria-label": `Delete ${c.name}`, onclick: () => deleteConnection(c) }, "Delete"))),
    ...details);
}

async function setEnabled(c, enabled) {
  try {
    await patch(`${base}/sso-connections/${c.id}`, { enabled });
    await renderSso();
    toast(`${c.name} is ${enabled ? "enabled" : "disabled"}.`);
  } catch (err) { toast(err.message, "error"); }
}

function deleteConnection(c) {
  openDialog({
    id: "delete-connection", title: `Delete ${c.name}?`, submitLabel: "Delete connection", submitClass: "danger",
    description: "People can no longer sign in through it. Their accounts and memberships stay.",
    onSubmit: async (form) => {
      try { await busy(form, () => del(`${base}/sso-connections/${c.id}`)); } catch (err) { showErrors(form, err); return false; }
      await renderSso();
      toast(`${c.name} was deleted.`);
      return true;
    },
  });
}

function jitFields(c) {
  return [
    h("label", { class: "check field" }, h("input", { type: "checkbox", name: "jitEnabled", checked: c ? c.jitEnabled : false }), "Create accounts on first sign-in (just-in-time)"),
    field("jitRole", "Role for new people", h("select", { id: "jitRole", name: "jitRole" },
      ["member", "admin"].map((r) => h("option", { value: r, selected: c ? c.jitRole === r : r === "member" }, roleLabel(r))))),
  ];
}

function samlDialog(c) {
  const metadata = h("textarea", { id: "idpMetadataXml", name: "idpMetadataXml", placeholder: "<EntityDescriptor …>" });
  const upload = h("input", { id: "metadata-file", type: "file", accept: ".xml,text/xml,application/xml,application/samlmetadata+xml" });
  upload.addEventListener("change", async () => { if (upload.files[0]) metadata.value = await upload.files[0].text(); });
  openDialog({
    id: "saml-dialog", title: c ? `Update ${c.name}` : "Add SAML connection", submitLabel: c ? "Save" : "Add connection",
    body: [
      field("conn-name", "Name", h("input", { id: "conn-name", name: "name", type: "text", value: c ? c.name : "SAML", required: true, autofocus: true })),
      field("metadata-file", "IdP metadata file", upload, "Upload the metadata XML from your identity provider, or paste it below, or fill in the fields."),
      field("idpMetadataXml", "IdP metadata XML", metadata),
      h("div", { class: "divider" }, "or"),
      field("idpEntityId", "IdP entity ID", h("input", { id: "idpEntityId", name: "idpEntityId", type: "text", value: c ? c.saml.idpEntityId : "" })),
      field("idpSsoUrl", "IdP SSO URL", h("input", { id: "idpSsoUrl", name: "idpSsoUrl", type: "url", value: c ? c.saml.idpSsoUrl : "" })),
      field("idpCerts", "Signing certificate (PEM)", h("textarea", { id: "idpCerts", name: "idpCerts", placeholder: "-----BEGIN CERTIFICATE-----" }),
        "During a rotation, paste the new certificate after the old one: both are accepted."),
      h("label", { class: "check field" }, h("input", { type: "checkbox", name: "allowIdpInitiated", checked: c ? c.saml.allowIdpInitiated : false }), "Allow sign-in started from the identity provider"),
      ...jitFields(c),
    ],
    onSubmit: async (form) => {
      const v = formValues(form);
      const body = { name: v.name || undefined, allowIdpInitiated: !!form.elements.allowIdpInitiated.checked,
        jitEnabled: !!form.elements.jitEnabled.checked, jitRole: v.jitRole };
      if (!c) body.kind = "saml";
      if (v.idpMetadataXml) body.idpMetadataXml = v.idpMetadataXml;
      if (v.idpEntityId && (!c || v.idpEntityId !== c.saml.idpEntityId)) body.idpEntityId = v.idpEntityId;
      if (v.idpSsoUrl && (!c || v.idpSsoUrl !== c.saml.idpSsoUrl)) body.idpSsoUrl = v.idpSsoUrl;
      const certs = (v.idpCerts || "").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) || (v.idpCerts ? [v.idpCerts] : []);
      if (certs.length) body.idpCerts = certs;
      return saveConnection(form, c, body);
    },
  });
}

function oidcDialog(c) {
  openDialog({
    id: "oidc-dialog", title: c ? `Update ${c.name}` : "Add OIDC connection", submitLabel: c ? "Save" : "Add connection",
    body: [
      field("conn-name", "Name", h("input", { id: "conn-name", name: "name", type: "text", value: c ? c.name : "OpenID Connect", required: true, autofocus: true })),
      field("issuer", "Issuer URL", h("input", { id: "issuer", name: "issuer", type: "url", value: c ? c.oidc.issuer : "", placeholder: "https://login.example.com" })),
      field("clientId", "Client ID", h("input", { id: "clientId", name: "clientId", type: "text", value: c ? c.oidc.clientId : "" })),
      field("clientSecret", "Client secret", h("input", { id: "clientSecret", name: "clientSecret", type: "password", autocomplete: "off" }),
        c ? "Leave empty to keep the stored secret." : "Stored encrypted; never shown again."),
      h("label", { class: "check field" }, h("input", { type: "checkbox", name: "trustEmails", checked: c ? c.oidc.trustEmails : false }), "Trust emails the provider does not mark as verified"),
      ...jitFields(c),
    ],
    onSubmit: async (form) => {
      const v = formValues(form);
      const body = { name: v.name || undefined, issuer: v.issuer || undefined, clientId: v.clientId || undefined,
        clientSecret: v.clientSecret || undefined, trustEmails: !!form.elements.trustEmails.checked,
        jitEnabled: !!form.elements.jitEnabled.checked, jitRole: v.jitRole };
      if (!c) body.kind = "oidc";
      return saveConnection(form, c, body);
    },
  });
}

async function saveConnection(form, c, body) {
  try {
    await busy(form, () => (c ? patch(`${base}/sso-connections/${c.id}`, body) : post(`${base}/sso-connections`, body)));
  } catch (err) {
    showErrors(form, err);
    return false;
  }
  await renderSso();
  toast(c ? "Connection saved." : "Connection added. Give the URLs below to your identity provider.");
  return true;
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

function requireSsoSwitch(settings) {
  const box = h("input", { type: "checkbox", id: "require-sso", role: "switch", checked: settings.requireSso, "aria-describedby": "require-sso-hint" });
  const err = h("p", { class: "field-error", role: "alert", hidden: true });
  box.addEventListener("change", async () => {
    box.disabled = true;
    err.hidden = true;
    try {
      const r = await patch(`${base}/sso-settings`, { requireSso: box.checked });
      box.checked = r.requireSso;
      toast(r.requireSso ? "Single sign-on is now required." : "Password sign-in is allowed again.");
    } catch (e) {
      box.checked = !box.checked;
      err.textContent = e.message;
      err.hidden = false;
    } finally { box.disabled = false; }
  });
  return h("div", { class: "card-body" },
    h("label", { class: "check", for: "require-sso" }, box, "Require single sign-on"),
    h("p", { class: "hint", id: "require-sso-hint" }, "Everyone must sign in through your identity provider. Owners keep a password sign-in for emergencies; each use is recorded in the audit log."),
    err);
}

const ssoSection = h("div", { id: "sso-section" });

async function renderSso() {
  if (!ctx.perms.has("sso.manage")) return replace(ssoSection);
  let connections; let domains; let settings;
  try {
    [{ connections }, { domains }, settings] = await Promise.all([get(`${base}/sso-connections`), get(`${base}/domains`), get(`${base}/sso-settings`)]);
  } catch (err) {
    return replace(ssoSection, section("sso-h", "Single sign-on", null, h("div", { class: "card-body" },
      h("div", { class: "notice warn", role: "status" }, err.status === 404 ? "Single sign-on settings are not available on this server yet." : err.message))));
  }
  replace(ssoSection,
    section("sso-h", "Single sign-on", "Let people sign in through your identity provider.",
      h("div", { class: "card-body" },
        connections.length ? connections.map(connectionCard) : h("p", { class: "muted" }, "No connection yet."),
        h("div", { class: "form-actions start" },
          h("button", { type: "button", class: "btn primary", onclick: () => samlDialog() }, "Add SAML connection"),
          h("button", { type: "button", class: "btn", onclick: () => oidcDialog() }, "Add OIDC connection")))),
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
    try {
      const { name } = formValues(form);
      const r = await busy(form, () => post(`${base}/scim-tokens`, { name: name || undefined }));
      freshToken = r.token;
      await renderScim();
      document.getElementById("fresh-token")?.focus();
    } catch (err) { showErrors(form, err); }
  });
  return form;
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
