// First-run setup: the first organization and its Owner, with the token from the server log.
import { get, post } from "./api.js";
import { $, busy, clearErrors, formValues, h, replace, showErrors } from "./dom.js";

const form = $("#setup-form");
const state = $("#setup-state");
const token = new URLSearchParams(location.search).get("token") || "";

function say(...content) {
  replace(state, ...content);
  state.hidden = false;
}

(async () => {
  const { needed } = await get("/api/setup");
  if (!needed) return say("Roster is already set up. ", h("a", { href: "/login" }, "Sign in"), ".");
  if (!token) return say("Open the setup link printed in the server log when Roster started (it ends in ", h("code", {}, "/setup?token=…"), ").");
  $("#token").value = token;
  form.hidden = false;
  $("#orgName").focus();
})().catch((err) => say(err.message));

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  try {
    const body = formValues(form);
    const r = await busy(form, () => post("/api/setup", body));
    location.assign(`/orgs/${encodeURIComponent(r.orgId)}/settings/members`);
  } catch (err) {
    showErrors(form, err);
  }
});
