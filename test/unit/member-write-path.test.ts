/**
 * One write path for members (issue 14): a search of the code finds no write to `memberships`,
 * to members' chatbot grants, no clearing of `conversations.assignee_membership_id` and no
 * member audit event outside the member service: src/members/member.service.ts (one member at
 * a time, with its rules), src/members/member.bulk.ts (set-based) and src/members/grants.ts
 * (the grants helper both use). Assigning a conversation (src/chatbots) is the chatbot's own
 * write, not a member effect. Migrations (triggers) are not application code paths.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const ALLOWED = new Set(["src/members/member.service.ts", "src/members/member.bulk.ts", "src/members/grants.ts"]);

const RULES: Array<[string, RegExp]> = [
  ["SQL write to memberships", /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?memberships\b/i],
  ["SQL write to chatbot_permissions", /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?chatbot_permissions\b/i],
  ["conversation requeue", /assignee_membership_id\s*=\s*NULL/i],
  ["ORM write to Membership", /getRepository\(\s*Membership\s*\)\s*\.\s*(save|insert|update|delete|upsert|remove|softDelete|increment|decrement)\b/],
  // An invitation's own grants (invitationId holder) are the invitation's, not a member's.
  ["ORM write to ChatbotPermission", /getRepository\(\s*ChatbotPermission\s*\)\s*\.\s*(save|insert|update|delete|upsert|remove)\b(?![^\n]*invitationId: inv\.id, chatbotId)/],
  ["member audit event", /action\s*:\s*["'`]member\./],
];

/** Rule names broken by a source text (exported for the self-test below). */
export function violations(text: string): string[] {
  return RULES.filter(([, re]) => re.test(text)).map(([name]) => name);
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

it("finds no membership write outside the member service", () => {
  const found: string[] = [];
  for (const dir of ["src", "scim", "sso"]) {
    for (const file of files(path.join(ROOT, dir))) {
      const rel = path.relative(ROOT, file);
      if (ALLOWED.has(rel)) continue;
      for (const v of violations(readFileSync(file, "utf8"))) found.push(`${rel}: ${v}`);
    }
  }
  expect(found).toEqual([]);
});

it("recognises each kind of write (so the search above can fail)", () => {
  expect(violations("await tx.query(`UPDATE memberships SET role = $2`)")).toEqual(["SQL write to memberships"]);
  expect(violations("INSERT INTO memberships (org_id) VALUES ($1)")).toEqual(["SQL write to memberships"]);
  expect(violations("DELETE FROM chatbot_permissions WHERE membership_id = $1")).toEqual(["SQL write to chatbot_permissions"]);
  expect(violations("SET assignee_membership_id = NULL, status = 'queued'")).toEqual(["conversation requeue"]);
  expect(violations("tx.getRepository(Membership).save(m)")).toEqual(["ORM write to Membership"]);
  expect(violations("tx.getRepository(ChatbotPermission).update({}, {})")).toEqual(["ORM write to ChatbotPermission"]);
  expect(violations(`recordAudit(tx, ctx, { action: "member.added" })`)).toEqual(["member audit event"]);
  expect(violations("SELECT * FROM memberships WHERE id = $1")).toEqual([]);
  expect(violations("tx.getRepository(ChatbotPermission).insert(grants.map((g) => ({ orgId, invitationId: inv.id, chatbotId: g.chatbotId })))")).toEqual([]);
});
