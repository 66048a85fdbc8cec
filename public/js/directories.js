// Settings → SSO / SCIM: the Google Workspace directory section (pull provisioning). Its own
// module so that the SSO page can change independently: it appends one card to the page's
// <main> once the page has rendered, and keeps it there. Connect (service-account key or Google
// consent), status, last sync and its counts, errors in words, "Sync now", and "Review and
// apply" for a held sync. Owners change things; Admins see and sync.
import { del, get, post } from "./api.js";
import { busy, exactTime, formValues, h, relativeTime, replace, showErrors, toast } from "./dom.js";
import { orgIdFromPath } from "./shell.js";

const orgId = orgIdFromPath();
const base = `/api/orgs/${encodeURIComponent(orgId)}/directories`;
const card = h("section", { class: "card", id: "directories", "aria-labelledby": "directories-h" });
const field = (id, label, input, hint) => h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint" }, hint) : null);

const STATUS = { active: "Connected", held: "Sync held: review needed", error: "Last sync failed", syncing: "Syncing…" };

function counts(s) {
  const u = s.users;
  return `${u.seen} users read: ${u.created} added, ${u.updated} updated, ${u.suspended} suspended, ${u.restored} restored, ${u.removed} removed, ${u.unchanged} unchanged`
    + (u.skipped ? `, ${u.skipped} skipped (outside your verified domains)` : "") + `; ${s.groups.seen} groups.`;
}

function lastSync(d) {
  const s = d.lastSync;
  if (!s) return h("p", { class: "muted" }, "Not synced yet.");
  return h("div", {},
    h("p", {}, "Last sync ", h("time", { datetime: s.startedAt, title: exactTime(s.startedAt) }, relativeTime(s.startedAt)), `: ${s.status}. `, s.status === "applied" ? counts(s) : ""),
    s.error ? h("div", { class: "notice warn", role: "status" }, s.error) : null,
    s.held ? h("div", { class: "notice warn", role: "status" }, h("p", {}, s.held.reason),
      h("p", {}, "Nothing was applied. Apply it if these people really left; otherwise fix the scope in Google and discard it."),
      h("button", { type: "button", class: "btn danger", onclick: (e) => act(e.target, `${base}/${d.id}/confirm`, "Held sync applied.") }, "Review and apply"), " ",
      h("button", { type: "button", class: "btn", onclick: (e) => act(e.target, `${base}/${d.id}/discard`, "Held sync discarded.") }, "Discard")) : null);
}

async function act(button, path, done) {
  try {
    const r = await busy(button.closest("p, div") || button, () => post(path));
    toast(r?.status === "failed" ? `Sync failed: ${r.error}` : done, r?.status === "failed" ? "error" : "ok");
  } catch (err) {
    toast(err.message, "error");
  }
  await render();
}

function connected(d) {
  return h("div", { class: "card-body" },
    h("p", {}, h("strong", {}, STATUS[d.status] || d.status), ` · acting as ${d.adminEmail}`, d.serviceAccountEmail ? ` through ${d.serviceAccountEmail}` : " (Google sign-in)",
      ` · ${d.orgUnits.length ? `org units ${d.orgUnits.join(", ")}` : "all users"} · every ${d.intervalMinutes} min`),
    lastSync(d),
    h("p", {}, h("button", { type: "button", class: "btn primary", onclick: (e) => act(e.target, `${base}/${d.id}/sync`, "Sync finished.") }, "Sync now"), " ",
      h("button", { type: "button", class: "btn danger", onclick: async (e) => {
        if (!confirm("Disconnect Google Workspace? Members stay; they are no longer updated from Google.")) return;
        try { await busy(e.target, () => del(`${base}/${d.id}`)); } catch (err) { toast(err.message, "error"); }
        await render();
      } }, "Disconnect")));
}

function connectForm() {
  const key = h("textarea", { id: "dir-key", name: "serviceAccountKey", rows: 4, placeholder: "{ \"type\": \"service_account\", … }" });
  const upload = h("input", { id: "dir-key-file", type: "file", accept: ".json,application/json" });
  upload.addEventListener("change", async () => { if (upload.files[0]) key.value = await upload.files[0].text(); });
  const form = h("form", { novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field("dir-admin", "Workspace admin email", h("input", { id: "dir-admin", name: "adminEmail", type: "email", required: true }), "Roster reads the directory as this admin (read-only scopes)."),
    field("dir-ous", "Org units (optional)", h("input", { id: "dir-ous", name: "orgUnits", placeholder: "/Sales, /Support" }), "Empty: every user of your Google Workspace."),
    field("dir-key-file", "Service-account key (JSON)", upload, "With domain-wide delegation; see the README's Google Workspace section."),
    key,
    h("p", {}, h("button", { type: "submit", class: "btn primary" }, "Connect with the key"), " ",
      h("button", { type: "button", class: "btn", onclick: () => oauth(form) }, "Connect Google Workspace")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await busy(form, () => post(base, { type: "google", ...input(form), serviceAccountKey: key.value }));
      toast("Google Workspace connected. The first sync runs within a minute, or press Sync now.");
      await render();
    } catch (err) { showErrors(form, err); }
  });
  return form;
}

function input(form) {
  const v = formValues(form);
  const orgUnits = String(v.orgUnits || "").split(",").map((s) => s.trim()).filter(Boolean);
  return { adminEmail: v.adminEmail, ...(orgUnits.length ? { orgUnits } : {}) };
}

async function oauth(form) {
  try {
    const { authorizeUrl } = await post(`${base}/google/connect`, input(form));
    location.assign(authorizeUrl);
  } catch (err) { showErrors(form, err); }
}

async function render() {
  let directories;
  try {
    ({ directories } = await get(base));
  } catch {
    return card.remove();
  }
  replace(card, h("div", { class: "card-head" }, h("div", {}, h("h2", { id: "directories-h" }, "Google Workspace directory"),
    h("p", { class: "hint" }, "Roster reads your Google directory every few minutes: people and groups become members with mapped roles; suspensions and departures follow. A sync that would remove many people waits for an Owner."))),
  directories.length ? directories.map(connected) : h("div", { class: "card-body" }, connectForm()));
  if (new URLSearchParams(location.search).get("directory") === "connected") toast("Google Workspace connected.");
}

// sso.js renders <main> asynchronously (and may re-render it): keep this card at its end.
const main = document.getElementById("main");
let rendered = false;
new MutationObserver(() => {
  if (!main.querySelector(".page-head") || card.isConnected) return;
  main.append(card);
  if (!rendered) { rendered = true; void render(); }
}).observe(main, { childList: true });
