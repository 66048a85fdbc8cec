/**
 * What this process saw lately of SCIM tokens and users, so that an IdP's busiest writes (POST,
 * and PUT/PATCH of a user it just looked up or wrote) need no read before the write. Never
 * trusted alone: the write that uses an entry checks it in its own statement (the token still
 * stands; the user's fields are still what the change was computed from, a compare-and-set), and
 * anything else reads first (scim/auth.ts `unconfirmed`). Another instance's changes therefore
 * only cost a fallback read.
 */
import type { Request } from "express";

/** A bounded map that forgets the least recently stored entry. */
export class Recent<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** Per app (app.locals), so that each test app and each instance has its own. */
export function recentOf<V>(req: Request, name: string, max: number): Recent<V> {
  const locals = req.app.locals as Record<string, unknown>;
  return (locals[name] ??= new Recent<V>(max)) as Recent<V>;
}
