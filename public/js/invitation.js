// The emailed link BASE_URL/invitations/<token>: who invites you where, then accept (link-accept.js).
import { $, h, roleLabel } from "./dom.js";
import { mountLinkPage } from "./link-accept.js";

mountLinkPage({
  card: $("#invitation"),
  api: "/api/invitations",
  pick: (body) => body.invitation,
  signInCode: "invitation.sign_in_required",
  noun: "invitation",
  verb: "accept",
  acceptLabel: "Accept invitation",
  summary: (inv) => h("div", { class: "invite-summary" },
    h("p", {}, h("strong", {}, inv.inviterName), " invited you to join ", h("strong", {}, inv.orgName), " as ",
      h("span", { class: `pill role-${inv.role}` }, roleLabel(inv.role)), "."),
    h("p", { class: "muted small" }, `Invitation for ${inv.email}`)),
  goneTitles: {
    "invitation.used": "This invitation was already used",
    "invitation.replaced": "This invitation was replaced by a newer one",
    "invitation.revoked": "This invitation was withdrawn",
    "invitation.expired": "This invitation has expired",
  },
  notFound: ["Invitation not found", "This invitation link is not valid. Check that you opened the whole link from the email, or ask for a fresh invite."],
});
