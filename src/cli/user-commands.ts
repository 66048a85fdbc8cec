/**
 * `roster user set-password`: how an Owner created by `org create` without --owner-password gets
 * a password. Sign-up cannot do it (whoever signs up first with that email would take the
 * account), so the operator who created the org sets it. Setting it over an existing password
 * signs that account out everywhere.
 */
import { z } from "zod";
import { User } from "../../entities";
import { parse } from "../http/validate";
import { findUserByEmail } from "../accounts/users";
import { hashPassword, MIN_PASSWORD_LENGTH } from "../auth/passwords";
import { destroyUserSessions } from "../auth/sessions";
import { NotFoundError } from "../errors";
import { flags, required, type Command } from "./flags";

const userSetPassword: Command = async (deps, args) => {
  const f = flags(args, { email: { type: "string" }, password: { type: "string" } });
  const input = parse(z.object({ email: z.email(), password: z.string().min(MIN_PASSWORD_LENGTH).max(200) }),
    { email: required(f.email, "email"), password: required(f.password, "password") });
  const passwordHash = await hashPassword(input.password);
  const user = await deps.ds.transaction(async (tx) => {
    const u = await findUserByEmail(tx, input.email);
    if (!u) throw new NotFoundError("User");
    const replaced = u.passwordHash !== null;
    await tx.getRepository(User).update({ id: u.id }, { passwordHash });
    if (replaced) await destroyUserSessions(tx, u.id);
    return { id: u.id, email: u.email, replaced };
  });
  return {
    json: { user: { id: user.id, email: user.email }, signedOut: user.replaced },
    text: `Password set for ${user.email}${user.replaced ? " (the previous one no longer works; their sessions were ended)" : ""}.`,
  };
};

export const USER_COMMANDS: Record<string, Command> = { "user set-password": userSetPassword };
