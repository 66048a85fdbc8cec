// The emailed join link BASE_URL/join/<token>: an organization's identity provider added this
// address; nothing is shared with the organization until the person joins (link-accept.js).
import { $, h } from "./dom.js";
import { mountLinkPage } from "./link-accept.js";

mountLinkPage({
  card: $("#join"),
  api: "/api/joins",
  pick: (body) => body.join,
  signInCode: "join.sign_in_required",
  noun: "link",
  verb: "join",
  acceptLabel: "Join",
  summary: (link) => h("div", { class: "invite-summary" },
    h("p", {}, "The identity provider of ", h("strong", {}, link.orgName), " added you. Nothing about your account is shared with it until you join."),
    h("p", { class: "muted small" }, `Join link for ${link.email}`)),
  notFound: ["Link not valid", "This join link is not valid or was already used. Check that you opened the whole link from the email."],
});
