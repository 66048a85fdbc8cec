// Settings → SSO connections: Roster's values first, a guide per identity provider, the IdP's
// details (metadata URL, file or fields), Test connection in a new window, then Enable.
import { get, patch, post, del } from "./api.js";
import { busy, exactTime, formValues, h, relativeTime, roleLabel, showErrors, toast } from "./dom.js";
import { openDialog } from "./dialog.js";

export const field = (id, label, input, hint) => h("div", { class: "field" }, h("label", { for: id }, label), input,
  hint ? h("p", { class: "hint" }, hint) : null);

export async function copy(text, what) {
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

/** A read-only value with a Copy button; `hint` names the field at the identity provider. */
export function copyField(id, label, value, hint) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("div", { class: "copy-row" }, h("input", { id, type: "text", readonly: true, value }),
      h("button", { type: "button", class: "btn small", "aria-label": `Copy ${label}`, onclick: () => copy(value, label) }, "Copy")),
    hint ? h("p", { class: "hint" }, hint) : null);
}

let env; // { base, ctx, refresh, guides }
export function initConnections(e) { env = e; }
export async function loadGuides(base) { return (await get(`${base}/sso-guides`)).guides; }

const guideOf = (c) => env.guides.find((g) => g.id === (c.saml?.provider ?? c.oidc?.provider)) || env.guides.find((g) => g.id === (c.kind === "saml" ? "other_saml" : "other_oidc"));
const isOwner = () => env.ctx.membership.role === "owner";

function certRows(certs) {
  if (!certs.length) return h("p", { class: "muted" }, "No certificate yet.");
  return h("table", { class: "inner" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Signing certificate"), h("th", { scope: "col" }, "Expires"))),
    h("tbody", {}, certs.map((c) => h("tr", {},
      h("td", { "data-label": "Certificate" }, h("div", { class: "person" }, h("span", {}, c.subject), h("span", { class: "muted small mono" }, c.fingerprintSha256.slice(0, 23) + "…"))),
      h("td", { "data-label": "Expires" }, h("span", { title: exactTime(c.notAfter) }, new Date(c.notAfter).toLocaleDateString(undefined, { dateStyle: "medium" })), " ",
        c.expired ? h("span", { class: "badge expired" }, "Expired") : c.expiresSoon ? h("span", { class: "badge expired" }, "Expires soon") : null)))));
}

function guideDetails(g, kind) {
  const part = g[kind];
  if (!part) return null;
  return h("details", { class: "guide" }, h("summary", {}, `How to set this up in ${g.label}`),
    h("ol", {}, part.steps.map((s) => h("li", {}, s))),
    part.send ? h("p", {}, h("strong", {}, "Send: "), part.send) : null,
    part.metadata ? h("p", {}, h("strong", {}, "Its metadata: "), part.metadata) : null,
    kind === "oidc" && part.issuer ? h("p", {}, h("strong", {}, "Issuer: "), part.issuer) : null);
}

function rosterValues(c, g, id) {
  const f = g[c.kind]?.fields || {};
  const at = (name) => (name ? `In ${g.label}: “${name}”.` : undefined);
  if (c.kind === "oidc") return [copyField(`redirect-${id}`, "Redirect URI", c.oidc.redirectUri, at(f.redirectUri))];
  return [
    copyField(`acs-${id}`, "ACS URL", c.saml.acsUrl, at(f.acsUrl)),
    copyField(`entity-${id}`, "SP entity ID", c.saml.spEntityId, at(f.spEntityId)),
    copyField(`meta-${id}`, "SP metadata URL", c.saml.metadataUrl, `${f.metadataUrl ? `In ${g.label}: “${f.metadataUrl}”. ` : ""}Includes Roster's request-signing certificate.`),
  ];
}

function idpDetails(c) {
  if (c.kind === "oidc") {
    return [h("dl", { class: "kv" }, h("dt", {}, "Issuer"), h("dd", { class: "mono" }, c.oidc.issuer || "—"), h("dt", {}, "Client ID"), h("dd", { class: "mono" }, c.oidc.clientId || "—"),
      h("dt", {}, "Client secret"), h("dd", {}, c.oidc.clientSecretSet ? "Stored (encrypted, never shown)" : "Not set")),
    h("div", { class: "form-actions start" }, h("button", { type: "button", class: "btn small", onclick: () => oidcDialog(c) }, c.setupComplete ? "Update OIDC settings" : "Enter OIDC settings"))];
  }
  const s = c.saml;
  return [h("dl", { class: "kv" }, h("dt", {}, "Entity ID"), h("dd", { class: "mono" }, s.idpEntityId || "—"), h("dt", {}, "SSO URL"), h("dd", { class: "mono" }, s.idpSsoUrl || "—"),
    h("dt", {}, "Metadata URL"), h("dd", { class: "mono" }, s.idpMetadataUrl ? [s.idpMetadataUrl, " ", h("span", { class: "muted" }, "refreshed ", relativeTime(s.metadataFetchedAt))] : "Not used"),
    h("dt", {}, "Signatures"), h("dd", {}, s.allowSha1 ? "SHA-256 or SHA-1 (not recommended)" : "SHA-256 or stronger")),
  certRows(s.certificates),
  h("div", { class: "form-actions start" }, h("button", { type: "button", class: "btn small", onclick: () => samlDialog(c) }, c.setupComplete ? "Update IdP settings" : "Enter IdP details"))];
}

function lastTest(c) {
  const t = c.lastTest;
  if (!t) return h("p", { class: "muted" }, c.testedAt ? ["A sign-in succeeded ", relativeTime(c.testedAt), "."] : "Not tested yet.");
  if (t.ok) {
    const o = t.outcome;
    return h("p", { class: "test-result ok" }, "Last test ", relativeTime(t.at), `: Roster would sign in ${o.name || o.email} (${o.email}) as ${roleLabel(o.role)}.`);
  }
  return h("div", { class: "notice error test-result" }, h("p", {}, "Last test ", relativeTime(t.at), " failed: ", t.refusal.message));
}

function startTest(c) {
  window.open(`/sso/${c.kind}/${c.id}/test`, `roster-sso-test-${c.id}`, "width=720,height=760");
  window.addEventListener("focus", () => env.refresh(), { once: true });
  toast("Sign in at your identity provider in the new window. Its result appears there and here.");
}

export function connectionCard(c) {
  const id = c.id.slice(0, 8);
  const g = guideOf(c);
  const enableHint = !c.enabled && !c.testedAt ? (isOwner() ? "Not tested yet: as an Owner you may enable it anyway." : "Test the connection first, or ask an Owner to enable it.") : null;
  return h("article", { class: "connection", "aria-label": `${c.name} connection`, dataset: { connectionId: c.id } },
    h("div", { class: "connection-head" },
      h("div", {}, h("strong", {}, c.name), " ", h("span", { class: "badge off" }, `${g.label} · ${c.kind.toUpperCase()}`), " ",
        c.enabled ? h("span", { class: "badge ok" }, "Enabled") : h("span", { class: "badge off" }, "Disabled"), " ",
        c.testedAt ? h("span", { class: "badge ok" }, "Tested") : h("span", { class: "badge expired" }, "Not tested"),
        h("p", { class: "hint" }, c.jitEnabled ? `New people get an account on first sign-in, as ${roleLabel(c.jitRole)}.` : "Only existing members and invited people can sign in.")),
      h("div", { class: "row-actions" },
        h("button", { type: "button", class: "btn small", disabled: !c.setupComplete, onclick: () => startTest(c) }, "Test connection"),
        h("button", { type: "button", class: "btn small", disabled: !c.enabled && !c.testedAt && !isOwner(), onclick: () => setEnabled(c, !c.enabled) }, c.enabled ? "Disable" : "Enable"),
        h("button", { type: "button", class: "btn small", "aria-label": `Delete ${c.name}`, onclick: () => deleteConnection(c) }, "Delete"))),
    enableHint ? h("p", { class: "hint" }, enableHint) : null,
    c.warnings.length ? h("div", { class: "notice warn", role: "status" }, c.warnings.map((w) => h("p", {}, w))) : null,
    h("h3", {}, `1. Give these to ${g.label}`), ...rosterValues(c, g, id), guideDetails(g, c.kind),
    h("h3", {}, `2. ${g.label}'s details`), ...idpDetails(c),
    h("h3", {}, "3. Test"), lastTest(c));
}

async function setEnabled(c, enabled) {
  const run = async () => {
    await patch(`${env.base}/sso-connections/${c.id}`, { enabled });
    await env.refresh();
    toast(`${c.name} is ${enabled ? "enabled" : "disabled"}.`);
  };
  if (enabled && !c.testedAt) {
    return openDialog({ id: "enable-untested", title: `Enable ${c.name} without a test?`, submitLabel: "Enable anyway",
      description: "No sign-in through this connection has succeeded yet. People may be unable to sign in until it works.",
      onSubmit: async (form) => { try { await busy(form, run); } catch (err) { showErrors(form, err); return false; } return true; } });
  }
  try { await run(); } catch (err) { toast(err.message, "error"); }
}

function deleteConnection(c) {
  openDialog({
    id: "delete-connection", title: `Delete ${c.name}?`, submitLabel: "Delete connection", submitClass: "danger",
    description: "People can no longer sign in through it. Their accounts and memberships stay.",
    onSubmit: async (form) => {
      try { await busy(form, () => del(`${env.base}/sso-connections/${c.id}`)); } catch (err) { showErrors(form, err); return false; }
      await env.refresh();
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

/** Step one: which provider and protocol; the connection exists before the IdP's details. */
export function addConnectionDialog() {
  const provider = h("select", { id: "provider", name: "provider" }, env.guides.map((g) => h("option", { value: g.id }, g.label)));
  const kind = h("select", { id: "kind", name: "kind" });
  const syncKinds = () => {
    const g = env.guides.find((x) => x.id === provider.value);
    kind.replaceChildren(...g.kinds.map((k) => h("option", { value: k }, k === "saml" ? "SAML 2.0" : "OpenID Connect")));
  };
  provider.addEventListener("change", syncKinds);
  syncKinds();
  openDialog({
    id: "add-connection", title: "Add SSO connection", submitLabel: "Continue",
    description: "Roster shows its own values first, to paste into your identity provider; its details come next.",
    body: [field("provider", "Identity provider", provider), field("kind", "Protocol", kind),
      field("conn-name", "Name", h("input", { id: "conn-name", name: "name", type: "text", placeholder: "Company SSO" }))],
    onSubmit: async (form) => {
      const v = formValues(form);
      const g = env.guides.find((x) => x.id === v.provider);
      try {
        await busy(form, () => post(`${env.base}/sso-connections`, { kind: v.kind, provider: v.provider, name: v.name || g.label, awaitingIdp: true }));
      } catch (err) { showErrors(form, err); return false; }
      await env.refresh();
      toast(`Connection created. Give ${g.label} the values shown, then enter its details.`);
      return true;
    },
  });
}

function samlDialog(c) {
  const metadata = h("textarea", { id: "idpMetadataXml", name: "idpMetadataXml", placeholder: "<EntityDescriptor …>" });
  const upload = h("input", { id: "metadata-file", type: "file", accept: ".xml,text/xml,application/xml,application/samlmetadata+xml" });
  upload.addEventListener("change", async () => { if (upload.files[0]) metadata.value = await upload.files[0].text(); });
  const g = guideOf(c);
  openDialog({
    id: "saml-dialog", title: `${g.label} details for ${c.name}`, submitLabel: "Save",
    body: [
      field("conn-name", "Name", h("input", { id: "conn-name", name: "name", type: "text", value: c.name, required: true })),
      field("idpMetadataUrl", "IdP metadata URL", h("input", { id: "idpMetadataUrl", name: "idpMetadataUrl", type: "url", value: c.saml.idpMetadataUrl || "", autofocus: true, placeholder: "https://…" }),
        `Best: Roster then follows certificate changes by itself. ${g.saml?.metadata ? `In ${g.label}: ${g.saml.metadata}.` : ""}`),
      h("div", { class: "divider" }, "or"),
      field("metadata-file", "IdP metadata file", upload),
      field("idpMetadataXml", "IdP metadata XML", metadata),
      h("div", { class: "divider" }, "or"),
      field("idpEntityId", "IdP entity ID", h("input", { id: "idpEntityId", name: "idpEntityId", type: "text", value: c.saml.idpEntityId })),
      field("idpSsoUrl", "IdP SSO URL", h("input", { id: "idpSsoUrl", name: "idpSsoUrl", type: "url", value: c.saml.idpSsoUrl })),
      field("idpCerts", "Signing certificate (PEM)", h("textarea", { id: "idpCerts", name: "idpCerts", placeholder: "-----BEGIN CERTIFICATE-----" }),
        "During a rotation, paste the new certificate after the old one: both are accepted."),
      h("label", { class: "check field" }, h("input", { type: "checkbox", name: "allowIdpInitiated", checked: c.saml.allowIdpInitiated }), "Allow sign-in started from the identity provider"),
      h("label", { class: "check field" }, h("input", { type: "checkbox", name: "allowSha1", checked: c.saml.allowSha1 }), "Accept SHA-1 signatures (not recommended: switch your identity provider to SHA-256 instead)"),
      ...jitFields(c),
    ],
    onSubmit: async (form) => {
      const v = formValues(form);
      const body = { name: v.name || undefined, allowIdpInitiated: !!form.elements.allowIdpInitiated.checked, allowSha1: !!form.elements.allowSha1.checked,
        jitEnabled: !!form.elements.jitEnabled.checked, jitRole: v.jitRole };
      if (v.idpMetadataUrl !== (c.saml.idpMetadataUrl || "")) body.idpMetadataUrl = v.idpMetadataUrl || "";
      if (v.idpMetadataXml) body.idpMetadataXml = v.idpMetadataXml;
      if (v.idpEntityId && v.idpEntityId !== c.saml.idpEntityId) body.idpEntityId = v.idpEntityId;
      if (v.idpSsoUrl && v.idpSsoUrl !== c.saml.idpSsoUrl) body.idpSsoUrl = v.idpSsoUrl;
      const certs = (v.idpCerts || "").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) || (v.idpCerts ? [v.idpCerts] : []);
      if (certs.length) body.idpCerts = certs;
      return save(form, c, body);
    },
  });
}

function oidcDialog(c) {
  const g = guideOf(c);
  openDialog({
    id: "oidc-dialog", title: `${g.label} details for ${c.name}`, submitLabel: "Save",
    body: [
      field("conn-name", "Name", h("input", { id: "conn-name", name: "name", type: "text", value: c.name, required: true })),
      field("issuer", "Issuer URL", h("input", { id: "issuer", name: "issuer", type: "url", value: c.oidc.issuer, placeholder: g.oidc?.issuer || "https://login.example.com", autofocus: true }),
        g.oidc?.issuer ? `In ${g.label}: ${g.oidc.issuer}` : undefined),
      field("clientId", "Client ID", h("input", { id: "clientId", name: "clientId", type: "text", value: c.oidc.clientId })),
      field("clientSecret", "Client secret", h("input", { id: "clientSecret", name: "clientSecret", type: "password", autocomplete: "off" }),
        c.oidc.clientSecretSet ? "Leave empty to keep the stored secret." : "Stored encrypted; never shown again."),
      h("label", { class: "check field" }, h("input", { type: "checkbox", name: "trustEmails", checked: c.oidc.trustEmails }), "Trust emails the provider does not mark as verified"),
      ...jitFields(c),
    ],
    onSubmit: async (form) => {
      const v = formValues(form);
      return save(form, c, { name: v.name || undefined, issuer: v.issuer || undefined, clientId: v.clientId || undefined,
        clientSecret: v.clientSecret || undefined, trustEmails: !!form.elements.trustEmails.checked,
        jitEnabled: !!form.elements.jitEnabled.checked, jitRole: v.jitRole });
    },
  });
}

async function save(form, c, body) {
  try {
    await busy(form, () => patch(`${env.base}/sso-connections/${c.id}`, body));
  } catch (err) {
    showErrors(form, err);
    return false;
  }
  await env.refresh();
  toast(c.setupComplete ? "Connection saved." : "Saved. Now test the connection.");
  return true;
}
