/** Accounts: looked up by email case-insensitively (the database enforces unique lower(email)). */
import type { EntityManager } from "typeorm";
import { User } from "../../entities";
import { isUniqueViolation } from "../db/pg-errors";
import { ConflictError } from "../errors";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(tx: EntityManager, email: string): Promise<User | null> {
  return tx.getRepository(User).createQueryBuilder("u").where("lower(u.email) = :e", { e: normalizeEmail(email) }).getOne();
}

export async function insertUser(
  tx: EntityManager,
  input: { email: string; name?: string | null; passwordHash?: string | null; emailVerified?: boolean },
): Promise<User> {
  const repo = tx.getRepository(User);
  try {
    return await repo.save(repo.create({
      email: normalizeEmail(input.email), name: input.name ?? null,
      passwordHash: input.passwordHash ?? null, emailVerified: input.emailVerified ?? false,
    }));
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError("user.email_taken", "An account with this email already exists.");
    throw err;
  }
}

/** The account for an email, created (without a password) when none exists. */
export async function findOrCreateUser(tx: EntityManager, email: string, name?: string | null): Promise<{ user: User; created: boolean }> {
  const existing = await findUserByEmail(tx, email);
  if (existing) return { user: existing, created: false };
  // A savepoint keeps the caller's transaction usable if a concurrent insert wins the race.
  try {
    const user = await tx.transaction((inner) => insertUser(inner, { email, name }));
    return { user, created: true };
  } catch (err) {
    const raced = await findUserByEmail(tx, email);
    if (raced) return { user: raced, created: false };
    throw err;
  }
}
