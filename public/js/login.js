// Sign-in: email and password; once the email is typed, SSO discovery offers "Continue with SSO".
import { ApiError, post } from "./api.js";
import { $, busy, clearErrors, formValues, returnTo, showErrors } from "./dom.js";

const form = $("#signin-form");
const email = $("#email");
const ssoBox = $("#sso-box");
const ssoLink = $("#sso-link");
const next = returnTo();
const params = new URLSearchParams(location.search);

if (params.get("email")) email.value = params.get("email");
if (next !== "/app") $("#signup-link").href = `/signup?returnTo=${encodeURIComponent(next)}`;
if (params.get("error")) {
  const box = $("#page-error");
  box.textContent = params.get("error");
  box.hidden = false;
}

let asked = "";
let seq = 0;
async function discover() {
  const value = email.value.trim();
  if (value === asked) return;
  asked = value;
  const mine = ++seq;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) { ssoBox.hidden = true; return; }
  try {
    const r = await post("/api/sso/discover", { email: value });
    if (mine !== seq) return;
    if (r && r.sso && r.loginUrl) {
      const url = new URL(r.loginUrl, location.origin);
      if (url.origin !== location.origin) return;
      if (!url.searchParams.has("returnTo")) url.searchParams.set("returnTo", next);
      ssoLink.href = url.pathname + url.search;
      ssoBox.hidden = false;
    } else {
      ssoBox.hidden = true;
    }
  } catch {
    ssoBox.hidden = true; // discovery unavailable: password sign-in still works
  }
}

let timer;
email.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(discover, 400); });
email.addEventListener("change", discover);
email.addEventListener("blur", discover);
if (email.value) discover();

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const body = formValues(form);
  // An empty form says what is missing before anything is sent.
  const missing = [["email", "Email"], ["password", "Password"]].filter(([k]) => !body[k]);
  if (missing.length) {
    showErrors(form, new ApiError(400, { error: { message: missing.map(([, label]) => `${label} is required.`).join(" "),
      fields: missing.map(([field]) => ({ field, message: "is required" })) } }));
    return;
  }
  try {
    await busy(form, () => post("/api/auth/signin", { email: body.email, password: body.password }));
    location.assign(next);
  } catch (err) {
    if (err instanceof ApiError && err.code === "auth.sso_required") {
      // The server names the org's SSO login: it works whatever the email's domain.
      if (err.ssoLoginUrl && err.ssoLoginUrl.startsWith("/sso/")) {
        const url = new URL(err.ssoLoginUrl, location.origin);
        url.searchParams.set("returnTo", next);
        ssoLink.href = url.pathname + url.search;
        ssoBox.hidden = false;
      } else discover();
    }
    showErrors(form, err);
  }
});

// "Forgot password?" carries the typed email; the reset and "sign out everywhere" pages land here with a word.
$("#forgot-link").addEventListener("click", (ev) => {
  const value = email.value.trim();
  if (value) ev.currentTarget.href = `/forgot-password?email=${encodeURIComponent(value)}`;
});
const NOTICES = {
  reset: "Your password was changed and every session was signed out. Sign in with your new password.",
  everywhere: "You were signed out on every browser and device.",
};
const notice = NOTICES[params.get("reset") ? "reset" : params.get("signedOut")];
if (notice) {
  const box = $("#page-notice");
  box.textContent = notice;
  box.hidden = false;
}
