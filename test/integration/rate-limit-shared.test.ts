/**
 * SharedRateLimiter (PostgreSQL-backed, shared by instances): small limits count every hit in
 * the row; large ones reserve chunks, so a busy key writes its row once per chunk, and the sum
 * over instances still never passes the limit.
 */
import { startTestApp, type TestApp } from "../support/app";
import { SharedRateLimiter } from "../../src/http/rate-limit";
import { RateLimitedError } from "../../src/errors";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const countOf = async (key: string) => Number((await t.deps.ds.query(`SELECT count FROM rate_limits WHERE key = $1`, [key]))[0]?.count ?? 0);

async function tryHit(l: SharedRateLimiter, key: string): Promise<boolean> {
  try {
    await l.hit(key);
    return true;
  } catch (err) {
    if (err instanceof RateLimitedError) return false;
    throw err;
  }
}

it("counts every hit of a small limit in the shared row and refuses the one past it", async () => {
  const l = new SharedRateLimiter(t.deps.ds, "small", { limit: 3, windowMs: 60_000 });
  expect([await tryHit(l, "k"), await tryHit(l, "k"), await tryHit(l, "k"), await tryHit(l, "k")]).toEqual([true, true, true, false]);
  expect(await countOf("small:k")).toBe(4);
});

it("reserves chunks for a large limit: one row write per chunk, never more than the limit over two instances", async () => {
  const setting = { limit: 2000, windowMs: 60_000 }; // chunk 10
  const a = new SharedRateLimiter(t.deps.ds, "big", setting);
  const b = new SharedRateLimiter(t.deps.ds, "big", setting);
  for (let i = 0; i < 25; i++) expect(await tryHit(a, "tok")).toBe(true);
  expect(await countOf("big:tok")).toBe(30); // three chunks reserved for 25 hits
  let allowed = 25;
  for (let i = 0; i < 2100; i++) if (await tryHit(i % 2 ? a : b, "tok")) allowed++;
  expect(allowed).toBeLessThanOrEqual(2000);
  expect(allowed).toBeGreaterThanOrEqual(2000 - 2 * 10);
  expect(await tryHit(a, "tok")).toBe(false);
  await a.reset("tok");
  expect(await tryHit(a, "tok")).toBe(true);
});
