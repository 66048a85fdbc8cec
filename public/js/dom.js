// Small DOM helpers shared by the pages: element building, form errors, dates.
import { safeReturnTo } from "./return-to.js";
import { ApiError } from "./api.js";

/** h("button", {class: "btn", onclick: fn}, "Save"): attributes, properties, listeners, children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "value" || k === "checked" || k === "selected") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

const ROLE_LABELS = { owner: "Owner", admin: "Admin", member: "Member" };
export const roleLabel = (role) => ROLE_LABELS[role] || role;

export function exactTime(value) {
  return new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "3 minutes ago" / "in 6 days", as a <time> with the exact time on hover. */
export function relativeTime(value, { empty = "Never" } = {}) {
  if (!value) return h("span", { class: "muted" }, empty);
  const date = new Date(value);
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const fmt = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  let text = Math.abs(seconds) < 60 ? "just now" : "";
  for (const [unit, size] of units) {
    if (!text && Math.abs(seconds) >= size) text = fmt.format(Math.round(seconds / size), unit);
  }
  return h("time", { datetime: date.toISOString(), title: exactTime(date) }, text);
}

/** Clears the errors a previous submit showed in `form`. */
export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll("[aria-invalid]").forEach((e) => {
    e.removeAttribute("aria-invalid");
    e.removeAttribute("aria-describedby");
  });
  const alert = form.querySelector(".form-error");
  if (alert) replace(alert).hidden = true;
}

/**
 * Shows an API error in `form`: each field problem under its field (matched by name, the last
 * path segment first), anything else in the form's alert. Never raw JSON.
 */
export function showErrors(form, err) {
  clearErrors(form);
  const leftover = [];
  const problems = err instanceof ApiError ? err.fields : [];
  for (const p of problems) {
    const parts = String(p.field).split(".");
    const input = form.querySelector(`[name="${CSS.escape(p.field)}"]`) || form.querySelector(`[name="${CSS.escape(parts[0])}"]`)
      || form.querySelector(`[name="${CSS.escape(parts[parts.length - 1])}"]`);
    if (!input) { leftover.push(p); continue; }
    const id = `${input.id || input.name}-error`;
    input.setAttribute("aria-invalid", "true");
    input.addEventListener("input", () => {
      input.removeAttribute("aria-invalid");
      document.getElementById(id)?.remove();
    }, { once: true });
    input.setAttribute("aria-describedby", id);
    const label = form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    const name = label ? label.textContent.replace(/\s*\(.*\)$/, "").trim() : "";
    const text = err.fields.length === 1 && p.message === err.message ? p.message : `${name ? name + " " : ""}${p.message}`;
    const note = h("p", { class: "field-error", id }, text);
    const holder = input.closest(".field");
    if (holder) holder.append(note);
    else input.after(note);
  }
  const alert = form.querySelector(".form-error");
  // The server words every problem as a sentence (never API field names): show those when a
  // problem has no field on this form.
  const general = problems.length === 0 || leftover.length ? err.message || "Something went wrong." : "";
  if (alert && general) {
    replace(alert, general);
    alert.hidden = false;
  }
  form.querySelector("[aria-invalid]")?.focus();
}

/** Shows a short message in the page's live region (role=status). */
export function toast(text, kind = "ok") {
  let region = $("#toast");
  if (!region) {
    region = h("div", { id: "toast", class: "toast", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  replace(region, h("p", { class: `toast-msg ${kind}` }, text));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => replace(region), 6000);
}

/** Disables a form's controls while `work` runs. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll("button, input, select, textarea")].filter((c) => !c.disabled);
  controls.forEach((c) => { c.disabled = true; });
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    controls.forEach((c) => { c.disabled = false; });
    form.removeAttribute("aria-busy");
  }
}

/** A form's fields as an object of trimmed strings. */
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form)) out[k] = typeof v === "string" ? (k.includes("password") ? v : v.trim()) : v;
  return out;
}

/** `returnTo` from the query string when it names a page of this site. */
export function returnTo(fallback = "/app") {
  return safeReturnTo(new URLSearchParams(location.search).get("returnTo"), location.origin, fallback);
}
