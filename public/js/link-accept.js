// The pages behind an emailed one-time link that adds you to an organization (an invitation, or
// a join link from the organization's identity provider): describe it, then accept as the
// signed-in user, or create the account (holding the link proves the email), or sign in first.
// Each page passes what differs: its API, its words and its summary.
import { ApiError, get, post } from "./api.js";
import { busy, clearErrors, formValues, h, replace, showErrors } from "./dom.js";

const field = (id, label, input, hint) => h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint" }, hint) : null);

/**
 * @param {object} page
 * @param {HTMLElement} page.card        where the page renders
 * @param {string} page.api              e.g. "/api/invitations" (GET /:token, POST /:token/accept)
 * @param {(body: any) => any} page.pick the link's description from the GET answer
 * @param {string} page.signInCode       the error code meaning "sign in first"
 * @param {string} page.noun             "invitation" or "link", in sentences
 * @param {string} page.verb             "accept" or "join", in buttons
 * @param {string} page.acceptLabel      the signed-in user's button
 * @param {(link: any) => Node} page.summary
 * @param {[string, string]} page.notFound title and text for an unknown token
 * @param {Record<string, string>} [page.goneTitles] a heading per dead-link error code (the text is the server's)
 */
export function mountLinkPage(page) {
  const { card, noun, verb } = page;
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const here = location.pathname;
  const path = `${page.api}/${encodeURIComponent(token)}`;
  const goneTitle = `This ${noun} can no longer be used`;
  const signInHref = (email) => `/login?returnTo=${encodeURIComponent(here)}${email ? `&email=${encodeURIComponent(email)}` : ""}`;

  function gone(title, text, org) {
    document.title = `${title} · Roster`;
    // An org comes only for a used link opened by one of its members: take them there.
    const next = org && typeof org.id === "string"
      ? h("p", {}, h("a", { class: "btn primary wide", href: `/orgs/${encodeURIComponent(org.id)}` }, `Open ${org.name}`))
      : h("p", { class: "alt" }, h("a", { href: "/login" }, "Go to sign-in"));
    replace(card, h("h1", {}, title), h("p", { class: "lede" }, text), next);
  }

  /** A 410: the heading for its reason, the server's sentence, and where to go next. */
  function goneFrom(err) {
    gone((page.goneTitles && page.goneTitles[err.code]) || goneTitle, err.message, err.details && err.details.org);
  }

  async function accept(form, body, link) {
    clearErrors(form);
    try {
      const r = await busy(form, () => post(`${path}/accept`, body));
      location.assign(`/orgs/${encodeURIComponent(r.membership.orgId)}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === page.signInCode) {
        showErrors(form, err);
        form.querySelector(".form-error").append(" ", h("a", { href: signInHref(link.email) }, `Sign in to ${verb}`));
      } else if (err instanceof ApiError && err.status === 410) {
        goneFrom(err);
      } else {
        showErrors(form, err);
      }
    }
  }

  function signedInView(link, me) {
    if (me.user.email.toLowerCase() !== link.email.toLowerCase()) {
      const form = h("form", { novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }),
        h("div", { class: "notice warn" }, `You are signed in as ${me.user.email}, but this ${noun} is for ${link.email}.`),
        h("button", { class: "btn primary wide", type: "submit" }, `Sign out and continue as ${link.email}`));
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        await busy(form, () => post("/api/auth/signout").catch(() => null));
        location.reload();
      });
      return form;
    }
    const form = h("form", { novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }),
      h("p", {}, `You are signed in as ${me.user.email}.`),
      h("button", { class: "btn primary wide", type: "submit" }, page.acceptLabel));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); accept(form, {}, link); });
    return form;
  }

  function newAccountView(link) {
    const form = h("form", { novalidate: true, id: "accept-form" },
      h("p", { class: "form-error", role: "alert", hidden: true }),
      h("h2", {}, "Create your account"),
      h("p", { class: "hint" }, "New to Roster? Choose your name and a password to join."),
      field("email", "Email", h("input", { id: "email", type: "email", value: link.email, readonly: true, autocomplete: "username" })),
      field("name", "Your name", h("input", { id: "name", name: "name", type: "text", autocomplete: "name", required: true })),
      field("password", "Password", h("input", { id: "password", name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 10 }), "At least 10 characters."),
      h("button", { class: "btn primary wide", type: "submit" }, "Create account and join"));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const v = formValues(form);
      accept(form, { name: v.name, password: v.password }, link);
    });
    return [form, h("div", { class: "divider" }, "or"),
      h("a", { class: "btn wide", href: signInHref(link.email) }, `I already have an account: sign in to ${verb}`)];
  }

  (async () => {
    let link;
    try {
      link = page.pick(await get(path));
    } catch (err) {
      if (err instanceof ApiError && err.status === 410) return goneFrom(err);
      if (err instanceof ApiError && err.status === 404) return gone(...page.notFound);
      return gone("Something went wrong", err.message);
    }
    document.title = `Join ${link.orgName} · Roster`;
    const { signedIn } = await get("/api/auth/csrf");
    const me = signedIn ? await get("/api/me").catch(() => null) : null;
    replace(card, h("h1", {}, `Join ${link.orgName}`), page.summary(link), me ? signedInView(link, me) : newAccountView(link));
  })();
}
