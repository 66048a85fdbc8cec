// The emailed join link BASE_URL/join/<token>: an organization's identity provider added this
// address; join as the signed-in user, or create the account (holding the link proves the
// email), or sign in first. Nothing is shared with the organization before that.
import { ApiError, get, post } from "./api.js";
import { $, busy, clearErrors, formValues, h, replace, showErrors } from "./dom.js";

const card = $("#join");
const token = decodeURIComponent(location.pathname.split("/").pop() || "");
const here = location.pathname;
let invitedEmail = "";

const field = (id, label, input, hint) => h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint" }, hint) : null);

function gone(title, text) {
  document.title = `${title} · Roster`;
  replace(card, h("h1", {}, title), h("p", { class: "lede" }, text),
    h("p", { class: "alt" }, h("a", { href: "/login" }, "Go to sign-in")));
}

function summary(inv) {
  return h("div", { class: "invite-summary" },
    h("p", {}, "The identity provider of ", h("strong", {}, inv.orgName), " added you. Nothing about your account is shared with it until you join."),
    h("p", { class: "muted small" }, `Join link for ${inv.email}`));
}

async function accept(form, body) {
  clearErrors(form);
  try {
    const r = await busy(form, () => post(`/api/joins/${encodeURIComponent(token)}/accept`, body));
    location.assign(`/orgs/${encodeURIComponent(r.membership.orgId)}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === "join.sign_in_required") {
      showErrors(form, err);
      const alert = form.querySelector(".form-error");
      alert.append(" ", h("a", { href: signInHref(invitedEmail) }, "Sign in to join"));
    } else if (err instanceof ApiError && err.status === 410) {
      gone("This link can no longer be used", err.message);
    } else {
      showErrors(form, err);
    }
  }
}

const signInHref = (email) => `/login?returnTo=${encodeURIComponent(here)}${email ? `&email=${encodeURIComponent(email)}` : ""}`;

function signedInView(inv, me) {
  const same = me.user.email.toLowerCase() === inv.email.toLowerCase();
  if (!same) {
    const form = h("form", { novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }),
      h("div", { class: "notice warn" }, `You are signed in as ${me.user.email}, but this link is for ${inv.email}.`),
      h("button", { class: "btn primary wide", type: "submit" }, `Sign out and continue as ${inv.email}`));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      await busy(form, () => post("/api/auth/signout").catch(() => null));
      location.reload();
    });
    return form;
  }
  const form = h("form", { novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", {}, `You are signed in as ${me.user.email}.`),
    h("button", { class: "btn primary wide", type: "submit" }, "Join"));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); accept(form, {}); });
  return form;
}

function newAccountView(inv) {
  const form = h("form", { novalidate: true, id: "accept-form" },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("h2", {}, "Create your account"),
    h("p", { class: "hint" }, "New to Roster? Choose your name and a password to join."),
    field("email", "Email", h("input", { id: "email", type: "email", value: inv.email, readonly: true, autocomplete: "username" })),
    field("name", "Your name", h("input", { id: "name", name: "name", type: "text", autocomplete: "name", required: true })),
    field("password", "Password", h("input", { id: "password", name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10 }), "At least 10 characters."),
    h("button", { class: "btn primary wide", type: "submit" }, "Create account and join"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    accept(form, { name: v.name, password: v.password });
  });
  return [form, h("div", { class: "divider" }, "or"),
    h("a", { class: "btn wide", href: signInHref(inv.email) }, `I already have an account: sign in to join`)];
}

(async () => {
  let inv;
  try {
    inv = (await get(`/api/joins/${encodeURIComponent(token)}`)).join;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return gone("Link not valid", "This join link is not valid or was already used. Check that you opened the whole link from the email.");
    return gone("Something went wrong", err.message);
  }
  invitedEmail = inv.email;
  document.title = `Join ${inv.orgName} · Roster`;
  const { signedIn } = await get("/api/auth/csrf");
  const me = signedIn ? await get("/api/me").catch(() => null) : null;
  replace(card, h("h1", {}, `Join ${inv.orgName}`), summary(inv), me ? signedInView(inv, me) : newAccountView(inv));
})();
