// "Forgot password?": asks for a reset link. The server answers the same whether or not the
// address has an account, so the page does too.
import { post } from "./api.js";
import { $, busy, clearErrors, formValues, h, replace, showErrors } from "./dom.js";

const form = $("#forgot-form");
const email = $("#email");
const given = new URLSearchParams(location.search).get("email");
if (given) email.value = given;

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const { email: address } = formValues(form);
  try {
    const r = await busy(form, () => post("/api/auth/password-reset", { email: address }));
    replace($("#forgot"), h("h1", {}, "Check your email"),
      h("p", { class: "lede", role: "status" }, r.message),
      h("p", { class: "hint" }, "Nothing after a few minutes? Check the spam folder, or ask again: only the newest link works."),
      h("p", {}, h("a", { class: "btn wide", href: `/login?email=${encodeURIComponent(address.trim())}` }, "Back to sign-in")));
  } catch (err) {
    showErrors(form, err);
  }
});
