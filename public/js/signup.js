// Sign-up: name, email, password; then on to where the visitor was going.
import { post } from "./api.js";
import { $, busy, clearErrors, formValues, returnTo, showErrors } from "./dom.js";

const form = $("#signup-form");
const next = returnTo();
if (next !== "/app") $("#signin-link").href = `/login?returnTo=${encodeURIComponent(next)}`;

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  try {
    const body = formValues(form);
    await busy(form, () => post("/api/auth/signup", body));
    location.assign(next);
  } catch (err) {
    showErrors(form, err);
  }
});
