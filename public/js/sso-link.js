// The emailed link BASE_URL/sso-link/<token>: confirms once that an SSO sign-in may be linked to
// this account. Confirming is a click (POST), never the page load: mail scanners open links.
import { ApiError, post } from "./api.js";
import { $, busy, h, replace, showErrors } from "./dom.js";

const card = $("#sso-link");
const token = decodeURIComponent(location.pathname.split("/").pop() || "");

const form = h("form", { novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }),
  h("p", {}, "Someone signed in through your organization's single sign-on with your email address. If it was you, confirm to link it to your Roster account. If not, close this page: nothing is linked."),
  h("button", { class: "btn primary wide", type: "submit" }, "Confirm it was me"));
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await busy(form, () => post(`/api/sso-links/${encodeURIComponent(token)}/confirm`));
    replace(card, h("h1", {}, "Linked"), h("p", { class: "lede" }, "Sign in with single sign-on again to continue."),
      h("p", { class: "alt" }, h("a", { href: "/login" }, "Go to sign-in")));
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 410)) {
      replace(card, h("h1", {}, "This link can no longer be used"), h("p", { class: "lede" }, err.message));
    } else showErrors(form, err);
  }
});
document.title = "Confirm single sign-on · Roster";
replace(card, h("h1", {}, "Confirm single sign-on"), form);
