/**
 * Browser sessions in the database (shared by every instance, revocable). The cookie holds 32
 * random bytes; the table holds only their sha256. Each session carries its own CSRF token.
 */
import { randomBytes } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import { Session, User } from "../../entities";
import { newSecret, sha256 } from "./tokens";

export const SESSION_COOKIE = "roster_session";
export const SESSION_TTL_SECONDS = 14 * 24 * 3600;

export interface SessionInfo {
  session: Session;
  user: User;
}

export async function createSession(db: DataSource | EntityManager, userId: string, authMethod: string, now: Date): Promise<{ cookie: string; csrfToken: string }> {
  const { token, hash } = newSecret();
  const csrfToken = randomBytes(24).toString("base64url");
  await db.getRepository(Session).insert({
    idHash: hash, userId, csrfToken, authMethod, expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000),
  });
  return { cookie: token, csrfToken };
}

export async function findSession(ds: DataSource, cookie: string, now: Date): Promise<SessionInfo | null> {
  const session = await ds.getRepository(Session).findOneBy({ idHash: sha256(cookie) });
  if (!session || session.expiresAt <= now) return null;
  const user = await ds.getRepository(User).findOneBy({ id: session.userId });
  return user ? { session, user } : null;
}

export async function destroySession(db: DataSource | EntityManager, cookie: string): Promise<void> {
  await db.getRepository(Session).delete({ idHash: sha256(cookie) });
}

/** Ends every session of a user (password reset, account takeover defence). */
export async function destroyUserSessions(db: DataSource | EntityManager, userId: string): Promise<void> {
  await db.getRepository(Session).delete({ userId });
}
