// /orgs/:orgId: your standing in the organization (role, what you may do, your chatbots).
import { get } from "./api.js";
import { h, replace, roleLabel } from "./dom.js";
import { orgPage } from "./shell.js";

const PERMISSION_TEXT = {
  "members.read": "See the members and pending invitations",
  "members.invite": "Invite people",
  "members.update": "Change members' roles",
  "members.remove": "Remove members",
  "chatbots.read": "See chatbots and their conversations",
  "chatbots.manage": "Create and configure chatbots",
  "conversations.reply": "Reply to conversations",
  "conversations.assign": "Assign conversations",
  "audit.read": "Read the audit log",
  "sso.manage": "Set up single sign-on",
  "scim.manage": "Set up SCIM provisioning",
};
const ACCESS_TEXT = { view: "View", reply: "Reply", manage: "Manage" };

(async () => {
  const ctx = await orgPage("overview");
  if (!ctx) return;
  const { org, membership, me, orgId, main } = ctx;
  const chatbots = (await get(`/api/orgs/${encodeURIComponent(orgId)}/chatbots`).catch(() => ({ chatbots: [] }))).chatbots;
  const grants = new Map(membership.chatbotPermissions.map((g) => [g.chatbotId, g.access]));
  replace(main,
    h("div", { class: "page-head" }, h("div", {},
      h("h1", {}, org.name),
      h("p", { class: "lede", id: "your-role" }, `Welcome, ${me.user.name || me.user.email}. Your role here: `,
        h("span", { class: `pill role-${membership.role}` }, roleLabel(membership.role))))),
    h("section", { class: "card", "aria-labelledby": "perm-h" },
      h("div", { class: "card-head" }, h("h2", { id: "perm-h" }, "What you can do")),
      h("div", { class: "card-body" }, membership.permissions.length
        ? h("ul", { class: "perm-list", id: "permissions" }, membership.permissions.map((p) => h("li", { dataset: { permission: p } }, PERMISSION_TEXT[p] || p)))
        : h("p", { class: "muted" }, "Nothing yet: ask an administrator."))),
    h("section", { class: "card", "aria-labelledby": "bots-h" },
      h("div", { class: "card-head" }, h("h2", { id: "bots-h" }, "Your chatbots", h("span", { class: "count" }, chatbots.length))),
      chatbots.length
        ? h("ul", { class: "card-body perm-list" }, chatbots.map((b) => h("li", {}, b.name, grants.has(b.id) ? h("span", { class: "muted" }, ` · ${ACCESS_TEXT[grants.get(b.id)]}`) : null)))
        : h("p", { class: "empty" }, membership.role === "member" && membership.chatbotScope === "selected"
          ? "You have not been given any chatbot yet. Ask an Owner or Admin for access."
          : "No chatbots to show.")));
})();
