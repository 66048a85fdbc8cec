// The emailed reset link, BASE_URL/reset-password#<token>: the token lives in the fragment, which
// the browser never sends to a server. The page checks the link, then sets the new password;
// every session of the account ends and the person signs in again.
import { ApiError, post } from "./api.js";
import { $, busy, clearErrors, formValues, h, replace, showErrors } from "./dom.js";

const card = $("#reset");
const token = decodeURIComponent(location.hash.replace(/^#/, ""));
// Out of the address bar and history: the link is a credential until it is used.
if (location.hash) history.replaceState(null, "", location.pathname);

const DEAD_TITLES = {
  "password_reset.used": "This link was already used",
  "password_reset.replaced": "A newer link was sent",
  "password_reset.expired": "This link has expired",
  "password_reset.not_found": "This link is not valid",
};

function dead(err) {
  const title = DEAD_TITLES[err.code] || "This page cannot be shown";
  document.title = `${title} · Roster`;
  replace(card, h("h1", {}, title), h("p", { class: "lede" }, err.message),
    h("p", {}, h("a", { class: "btn primary wide", href: "/forgot-password" }, "Ask for a new link")),
    h("p", { class: "alt" }, h("a", { href: "/login" }, "Go to sign-in")));
}

function resetForm(email) {
  const form = h("form", { novalidate: true, id: "reset-form" },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "field" }, h("label", { for: "email" }, "Email"),
      h("input", { id: "email", type: "email", value: email, readonly: true, autocomplete: "username" })),
    h("div", { class: "field" }, h("label", { for: "password" }, "New password"),
      h("input", { id: "password", name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10, "aria-describedby": "password-hint" }),
      h("p", { class: "hint", id: "password-hint" }, "At least 10 characters. Saving it signs you out on every browser and device.")),
    h("button", { class: "btn primary wide", type: "submit" }, "Save new password"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const { password } = formValues(form); // before busy(): disabled fields are not in the form's data
    try {
      const r = await busy(form, () => post("/api/auth/password-reset/confirm", { token, password }));
      location.assign(`/login?reset=done&email=${encodeURIComponent(r.email)}`);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 410 || err.status === 404)) dead(err);
      else showErrors(form, err);
    }
  });
  return form;
}

(async () => {
  if (!token) {
    return dead({ code: "password_reset.not_found", message: "This page needs the whole link from the reset email. Open it again from the email, or ask for a new one." });
  }
  try {
    const { email } = await post("/api/auth/password-reset/check", { token });
    replace(card, h("h1", {}, "Choose a new password"), h("p", { class: "lede" }, `For the Roster account ${email}.`), resetForm(email));
    $("#password").focus();
  } catch (err) {
    if (err instanceof ApiError && err.status !== 429 && err.status < 500) dead(err);
    else replace(card, h("h1", {}, "Something went wrong"), h("p", { class: "lede" }, err.message));
  }
})();
