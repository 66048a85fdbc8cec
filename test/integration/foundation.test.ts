import request from "supertest";
import { pageRequest, startTestApp, type TestApp } from "../support/app";
import { createOrgWithOwner } from "../../src/orgs/org.service";
import { SYSTEM_CTX } from "../../src/context";
import { invitationEmail } from "../../src/mail/templates";
import { EmailMessage } from "../../entities";
import { createApp } from "../../src/app";
import { createLogger } from "../../src/logger";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ smtp: true });
});
afterAll(() => t.close());

describe("HTTP foundation", () => {
  it("answers /healthz and /readyz", async () => {
    await request(t.app).get("/healthz").expect(200, { status: "ok" });
    await request(t.app).get("/readyz").expect(200);
  });

  it("sets helmet headers and echoes a request id", async () => {
    const r = await request(t.app).get("/healthz").set("X-Request-Id", "abc-123");
    expect(r.headers["x-request-id"]).toBe("abc-123");
    expect(r.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(r.headers["x-powered-by"]).toBeUndefined();
  });

  it("answers unknown routes and malformed JSON with a JSON error, never a stack", async () => {
    const r1 = await request(t.app).get("/api/nope").expect(404);
    expect(r1.body.error.code).toBe("route.not_found");
    const r2 = await pageRequest(t.app).post("/api/nope").set("Content-Type", "application/json").send("{bad").expect(400);
    expect(r2.body.error.code).toBe("request.malformed_json");
    expect(JSON.stringify(r2.body)).not.toMatch(/at .*\.js/);
  });

  it("logs each request as one line: id, method, path, status and duration, no response headers, no link tokens", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (l: string) => void lines.push(l) });
    const app = createApp({ ...t.deps, logger });
    await request(app).get("/api/invitations/secret-token-123").set("X-Request-Id", "log-check-1");
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === "log-check-1");
    expect(entry).toEqual(expect.objectContaining({ msg: "request completed", durationMs: expect.any(Number),
      req: { id: "log-check-1", method: "GET", path: "/api/invitations/[redacted]" }, res: { status: expect.any(Number) } }));
    expect(Object.keys(entry).sort()).toEqual(["durationMs", "level", "msg", "req", "res", "service", "time"]);
    expect(lines.join("\n")).not.toContain("secret-token-123");
  });

  it("logs a request the client abandoned as aborted, and a handler's own line carries the request id", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (l: string) => void lines.push(l) });
    let reached!: () => void;
    const inHandler = new Promise<void>((resolve) => { reached = resolve; });
    const app = createApp({ ...t.deps, logger }, { mount: (a) => a.get("/slow", (req, res) => {
      req.log.info("working on it");
      reached();
      setTimeout(() => { if (!res.destroyed) res.json({ ok: true }); }, 300);
    }) });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as import("node:net").AddressInfo;
    const http = await import("node:http");
    const req = http.get({ host: "127.0.0.1", port, path: "/slow", headers: { "X-Request-Id": "abandon-1" } });
    req.on("error", () => undefined);
    await inHandler;
    req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => server.close(r));
    const entries = lines.map((l) => JSON.parse(l)).filter((l) => l.req?.id === "abandon-1");
    expect(entries.map((e) => [e.level, e.msg])).toEqual([[30, "working on it"], [40, "request aborted"]]);
    expect(entries[1]).toMatchObject({ req: { method: "GET", path: "/slow" }, durationMs: expect.any(Number) });
  });

  it("refuses a body over the size limit with 413", async () => {
    const r = await pageRequest(t.app).post("/api/nope").set("Content-Type", "application/json")
      .send(JSON.stringify({ x: "a".repeat(200_000) })).expect(413);
    expect(r.body.error.code).toBe("request.too_large");
  });
});

describe("email outbox", () => {
  it("delivers a queued message once, with a stable Message-ID", async () => {
    const { org } = await createOrgWithOwner(t.deps, SYSTEM_CTX, { name: "Mailco", plan: "free", ownerEmail: "owner@mail.test", ownerPassword: "correct horse battery" });
    await t.deps.ds.transaction((tx) => t.deps.outbox.enqueue(tx, org.id, "someone@mail.test",
      invitationEmail({ orgName: "Mailco", inviterName: "Olive", role: "member", link: "http://roster.test/invitations/x", expiresAt: new Date() })));
    const m = await t.mail!.waitFor((x) => x.to === "someone@mail.test");
    expect(m.subject).toBe("You're invited to join Mailco");
    expect(m.text).toContain("http://roster.test/invitations/x");
    await t.dispatcher!.kick();
    const row = await t.deps.ds.getRepository(EmailMessage).findOneByOrFail({ to: "someone@mail.test" });
    expect(row.status).toBe("sent");
    expect(m.messageId).toBe(`<${row.id}@roster>`);
    expect(t.mail!.to("someone@mail.test")).toHaveLength(1);
  });

  it("keeps a message when SMTP refuses it and delivers it on a later attempt", async () => {
    t.mail!.refuse = "451 try later";
    await t.deps.ds.transaction((tx) => t.deps.outbox.enqueue(tx, null, "later@mail.test",
      invitationEmail({ orgName: "Mailco", inviterName: "Olive", role: "member", link: "http://roster.test/invitations/y", expiresAt: new Date() })));
    await t.dispatcher!.kick();
    const repo = t.deps.ds.getRepository(EmailMessage);
    let row = await repo.findOneByOrFail({ to: "later@mail.test" });
    expect(row.status).toBe("pending");
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/try later/);
    t.mail!.refuse = undefined;
    await t.deps.ds.query(`UPDATE email_messages SET next_attempt_at = now() WHERE id = $1`, [row.id]);
    await t.dispatcher!.kick();
    row = await repo.findOneByOrFail({ id: row.id });
    expect(row.status).toBe("sent");
    expect(row.attempts).toBe(2);
    expect(t.mail!.to("later@mail.test")).toHaveLength(1);
  });

  it("does not send a message whose transaction rolled back", async () => {
    await expect(t.deps.ds.transaction(async (tx) => {
      await t.deps.outbox.enqueue(tx, null, "ghost@mail.test",
        invitationEmail({ orgName: "X", inviterName: "Y", role: "member", link: "http://roster.test/i", expiresAt: new Date() }));
      throw new Error("boom");
    })).rejects.toThrow("boom");
    await t.dispatcher!.kick();
    expect(t.mail!.to("ghost@mail.test")).toHaveLength(0);
    expect(await t.deps.ds.getRepository(EmailMessage).countBy({ to: "ghost@mail.test" })).toBe(0);
  });
});
