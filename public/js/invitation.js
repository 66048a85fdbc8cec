// The emailed link BASE_URL/invitations/<token>: who invites you where, then accept as the
// signed-in user, or create the account (holding the link proves the email), or sign in first.
import { ApiError, get, post } from "./api.js";
import { $, busy, clearErrors, formValues, h, replace, roleLabel, showErrors } from "./dom.js";

const card = $("#invitation");
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
    h("p", {}, h("strong", {}, inv.inviterName), " invited you to join ", h("strong", {}, inv.orgName), " as ",
      h("span", { class: `pill role-${inv.role}` }, roleLabel(inv.role)), "."),
    h("p", { class: "muted small" }, `Invitation for ${inv.email}`));
}

async function accept(form, body) {
  clearErrors(form);
  try {
    const r = await busy(form, () => post(`/api/invitations/${encodeURIComponent(token)}/accept`, body));
    location.assign(`/orgs/${encodeURIComponent(r.membership.orgId)}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === "invitation.sign_in_required") {
      showErrors(form, err);
      const alert = form.querySelector(".form-error");
      alert.append(" ", h("a", { href: signInHref(invitedEmail) }, "Sign in to accept"));
    } else if (err instanceof ApiError && err.status === 410) {
      gone("This invitation can no longer be used", err.message);
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
      h("div", { class: "notice warn" }, `You are signed in as ${me.user.email}, but this invitation is for ${inv.email}.`),
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
    h("button", { class: "btn primary wide", type: "submit" }, "Accept invitation"));
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
    h("a", { class: "btn wide", href: signInHref(inv.email) }, `I already have an account: sign in to accept`)];
}

(async () => {
  let inv;
  try {
    inv = (await get(`/api/invitations/${encodeURIComponent(token)}`)).invitation;
  } catch (err) {
    if (err instanceof ApiError && err.status === 410) return gone("This invitation can no longer be used", err.message);
    if (err instanceof ApiError && err.status === 404) return gone("Invitation not found", "This invitation link is not valid. Check that you opened the whole link from the email, or ask for a fresh invite.");
    return gone("Something went wrong", err.message);
  }
  invitedEmail = inv.email;
  document.title = `Join ${inv.orgName} · Roster`;
  const { signedIn } = await get("/api/auth/csrf");
  const me = signedIn ? await get("/api/me").catch(() => null) : null;
  replace(card, h("h1", {}, `Join ${inv.orgName}`), summary(inv), me ? signedInView(inv, me) : newAccountView(inv));
})();
