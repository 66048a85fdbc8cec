/**
 * A drain waits for work that answered requests started after their response (a password reset
 * answers first and looks the address up afterwards) before it closes the database; before, a
 * SIGTERM right after such an answer could close the database under that work and lose the email.
 */
import { EventEmitter } from "node:events";
import type { Server, ServerResponse } from "node:http";
import { Lifecycle } from "../../src/http/lifecycle";
import { drain } from "../../src/shutdown";
import { createLogger } from "../../src/logger";

function finishedResponse(finished: boolean): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { writableFinished: finished }) as unknown as ServerResponse & EventEmitter;
}

const idleServer = { close: (cb: () => void) => cb(), closeIdleConnections: () => undefined, closeAllConnections: () => undefined } as unknown as Server;

function drainWith(lifecycle: Lifecycle, drainMs: number, events: string[]) {
  return drain({
    server: idleServer, lifecycle, logger: createLogger("silent"), drainMs,
    dispatcher: { stop: async () => undefined },
    db: { close: async () => void events.push("db closed") },
  });
}

it("closes the database only after the work a request started after its answer", async () => {
  const lifecycle = new Lifecycle();
  const events: string[] = [];
  let release!: () => void;
  const res = finishedResponse(true);
  lifecycle.afterResponse(res, 0, () => new Promise<void>((ok) => { release = ok; }).then(() => void events.push("work done")));
  res.emit("close");
  const drained = drainWith(lifecycle, 2000, events);
  await new Promise((r) => setTimeout(r, 900)); // past the linger (500 ms): the database would close here
  expect(events).toEqual([]);
  release();
  expect(await drained).toBe(true);
  expect(events).toEqual(["work done", "db closed"]);
});

it("waits for work whose response finished before the drain but whose delay has not run yet", async () => {
  const lifecycle = new Lifecycle();
  const events: string[] = [];
  const res = finishedResponse(true);
  lifecycle.afterResponse(res, 700, async () => void events.push("work done"));
  const drained = drainWith(lifecycle, 2000, events);
  res.emit("close");
  expect(await drained).toBe(true);
  expect(events).toEqual(["work done", "db closed"]);
});

it("does no work for a client that went away, and does not wait for it", async () => {
  const lifecycle = new Lifecycle();
  const events: string[] = [];
  const res = finishedResponse(false);
  lifecycle.afterResponse(res, 0, async () => void events.push("work done"));
  res.emit("close");
  expect(await drainWith(lifecycle, 400, events)).toBe(true);
  expect(events).toEqual(["db closed"]);
});

it("cuts work that outlasts the drain time, and says the drain was not clean", async () => {
  const lifecycle = new Lifecycle();
  const events: string[] = [];
  const res = finishedResponse(true);
  lifecycle.afterResponse(res, 0, () => new Promise<void>(() => undefined));
  res.emit("close");
  expect(await drainWith(lifecycle, 400, events)).toBe(false);
  expect(events).toEqual(["db closed"]);
});
