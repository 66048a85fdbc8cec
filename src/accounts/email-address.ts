/**
 * What a mail server will accept as an address, checked before anything is stored or sent.
 * Limits from RFC 5321 §4.5.3.1: a local part of at most 64 octets and a path of at most 256
 * octets including the angle brackets, so at most 254 for the address itself. Spaces and
 * control characters are refused outright (they would need quoting, which no invitation needs).
 */
import { z } from "zod";

export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;

// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// A dot-atom local part and a domain of dot-separated labels with a letter TLD (xn-- allowed).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const TLD = /^([A-Za-z]{1,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** Why `value` is not a deliverable address, as the end of a sentence starting "Email …"; undefined when it is. */
export function emailProblem(value: string): string | undefined {
  if (value.length === 0) return "is required";
  if (SPACE_OR_CONTROL.test(value)) return "cannot contain spaces or control characters";
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return "must be a valid email address, like name@example.com";
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  // Octets, not UTF-16 units: that is what the mail server counts.
  if (Buffer.byteLength(value, "utf8") > MAX_EMAIL_LENGTH) return `can be at most ${MAX_EMAIL_LENGTH} characters`;
  if (Buffer.byteLength(local, "utf8") > MAX_LOCAL_PART_LENGTH) return `can have at most ${MAX_LOCAL_PART_LENGTH} characters before the @`;
  const labels = domain.split(".");
  if (!LOCAL.test(local) || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1]!)) {
    return "must be a valid email address, like name@example.com";
  }
  return undefined;
}

export const isDeliverableEmail = (value: string): boolean => emailProblem(value) === undefined;

/**
 * The zod schema of every address a person types (sign-up, sign-in, invitations, setup, SSO
 * discovery, a directory's admin email). SCIM userName is the identity provider's: not checked here.
 */
export const emailSchema = z.string().superRefine((value, ctx) => {
  const problem = emailProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
