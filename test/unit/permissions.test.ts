import { can, effectiveScope, permissionsOf, visibleChatbots, type Permission, type Subject } from "../../src/auth/permissions";
import type { ChatbotAccess, ChatbotScope, Role } from "../../entities";

const subject = (role: Role, grants: Record<string, ChatbotAccess> = {}, scope: ChatbotScope = "all"): Subject => ({ role, scope, grants: new Map(Object.entries(grants)) });

describe("can(): org role layer", () => {
  const table: Array<[Role, Permission, boolean]> = [
    ["owner", "members.read", true], ["owner", "members.invite", true], ["owner", "members.update", true], ["owner", "members.remove", true],
    ["admin", "members.read", true], ["admin", "members.invite", true], ["admin", "members.update", true], ["admin", "members.remove", true],
    ["member", "members.read", false], ["member", "members.invite", false], ["member", "members.update", false], ["member", "members.remove", false],
    ["owner", "sso.manage", true], ["admin", "scim.manage", true], ["member", "audit.read", false], ["member", "scim.manage", false],
    ["member", "chatbots.read", true], ["member", "conversations.reply", true], ["member", "chatbots.manage", false],
    ["admin", "chatbots.manage", true], ["member", "conversations.assign", false],
  ];
  it.each(table)("%s %s → %s", (role, perm, expected) => {
    expect(can(subject(role), perm)).toBe(expected);
  });
});

describe("can(): per-chatbot layer", () => {
  const table: Array<[string, Subject, Permission, string, boolean]> = [
    ["member without grants reads any chatbot", subject("member"), "chatbots.read", "bot-a", true],
    ["member without grants cannot assign", subject("member"), "conversations.assign", "bot-a", false],
    ["view grant reads its chatbot", subject("member", { "bot-a": "view" }), "chatbots.read", "bot-a", true],
    ["view grant cannot reply", subject("member", { "bot-a": "view" }), "conversations.reply", "bot-a", false],
    ["grants narrow: other chatbot hidden", subject("member", { "bot-a": "manage" }), "chatbots.read", "bot-b", false],
    ["reply grant replies", subject("member", { "bot-a": "reply" }), "conversations.reply", "bot-a", true],
    ["manage grant assigns in its chatbot", subject("member", { "bot-a": "manage" }), "conversations.assign", "bot-a", true],
    ["manage grant does not assign elsewhere", subject("member", { "bot-a": "manage" }), "conversations.assign", "bot-b", false],
    ["admin is never narrowed", subject("admin", { "bot-a": "view" }), "conversations.assign", "bot-b", true],
    ["org-wide question uses the role", subject("member", { "bot-a": "manage" }), "chatbots.manage", "", false],
  ];
  it.each(table)("%s", (_name, s, perm, bot, expected) => {
    expect(can(s, perm, bot || undefined)).toBe(expected);
  });

  it("lists visible chatbots only for narrowed members", () => {
    expect(visibleChatbots(subject("member", { a: "view", b: "reply" }))).toEqual(["a", "b"]);
    expect(visibleChatbots(subject("member"))).toBeUndefined();
    expect(visibleChatbots(subject("owner", { a: "view" }))).toBeUndefined();
  });

  it("gives Owners and Admins every members.* permission and Members none", () => {
    for (const role of ["owner", "admin"] as const) {
      expect(permissionsOf(subject(role))).toEqual(expect.arrayContaining(["members.read", "members.invite", "members.update", "members.remove"]));
    }
    expect(permissionsOf(subject("member")).filter((p) => p.startsWith("members."))).toEqual([]);
  });
});

describe("can(): the chatbot scope rule", () => {
  it("a Member scoped to selected chatbots with none ticked has no chatbot", () => {
    const none = subject("member", {}, "selected");
    expect(can(none, "chatbots.read", "bot-a")).toBe(false);
    expect(can(none, "conversations.reply", "bot-a")).toBe(false);
    expect(visibleChatbots(none)).toEqual([]);
  });
  it("a Member scoped to all chatbots reads and replies in every chatbot", () => {
    const all = subject("member", {}, "all");
    expect(can(all, "conversations.reply", "bot-a")).toBe(true);
    expect(visibleChatbots(all)).toBeUndefined();
  });
  it("holding a grant narrows whatever the stored scope says (grants an IdP mapping writes)", () => {
    expect(can(subject("member", { "bot-a": "reply" }, "all"), "chatbots.read", "bot-b")).toBe(false);
    expect(effectiveScope(subject("member", { "bot-a": "reply" }, "all"))).toBe("selected");
  });
  it("Owners and Admins have every chatbot whatever scope and grants are stored", () => {
    for (const role of ["owner", "admin"] as const) {
      const s = subject(role, { "bot-a": "view" }, "selected");
      expect(effectiveScope(s)).toBe("all");
      expect(can(s, "conversations.assign", "bot-b")).toBe(true);
    }
  });
});
