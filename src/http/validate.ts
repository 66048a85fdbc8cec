/**
 * Request validation with zod: every problem becomes a field-level message in one 400. Messages
 * are the end of a sentence about the field ("can be at most 200 characters"); a schema's own
 * message wins, and anything it leaves to zod is worded here, so no library text reaches a person.
 */
import type { z } from "zod";
import { ValidationError } from "../errors";

const TYPE_WORDS: Record<string, string> = {
  string: "must be text", number: "must be a number", int: "must be a whole number", boolean: "must be true or false",
  array: "must be a list", object: "must be an object", date: "must be a date",
};
const FORMAT_WORDS: Record<string, string> = {
  email: "must be a valid email address, like name@example.com", uuid: "is not a valid id", guid: "is not a valid id",
  url: "must be a web address starting with https://", datetime: "must be a date and time", date: "must be a date",
};

type Issue = z.core.$ZodRawIssue;

/** The wording of a zod issue the schema gave no message for. */
export function describeIssue(issue: Issue): string {
  const i = issue as Issue & { input?: unknown; expected?: string; origin?: string; minimum?: number | bigint; maximum?: number | bigint;
    format?: string; values?: unknown[]; keys?: string[] };
  switch (i.code) {
    case "invalid_type":
      return i.input === undefined || i.input === null ? "is required" : TYPE_WORDS[i.expected ?? ""] ?? "has the wrong type";
    case "too_small":
      if (i.origin === "string") return Number(i.minimum) <= 1 ? "is required" : `must be at least ${i.minimum} characters`;
      if (i.origin === "array" || i.origin === "set") return `must have at least ${i.minimum} item${Number(i.minimum) === 1 ? "" : "s"}`;
      return `must be at least ${i.minimum}`;
    case "too_big":
      if (i.origin === "string") return `can be at most ${i.maximum} characters`;
      if (i.origin === "array" || i.origin === "set") return `can have at most ${i.maximum} items`;
      return `can be at most ${i.maximum}`;
    case "invalid_format":
      return FORMAT_WORDS[i.format ?? ""] ?? "is not in the expected format";
    case "invalid_value":
      return Array.isArray(i.values) && i.values.length ? `must be one of ${i.values.map(String).join(", ")}` : "is not an accepted value";
    case "unrecognized_keys":
      return "contains something this request does not accept";
    case "not_multiple_of":
      return "is not an accepted value";
    default:
      return "is not valid";
  }
}

export function parse<T extends z.ZodType>(schema: T, value: unknown, prefix = ""): z.infer<T> {
  const r = schema.safeParse(value ?? {}, { error: (issue) => describeIssue(issue) });
  if (r.success) return r.data;
  throw new ValidationError(
    r.error.issues.map((i) => ({
      field: [prefix, ...i.path.map(String)].filter(Boolean).join(".") || "(body)",
      message: i.message,
    })),
  );
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: unknown): s is string => typeof s === "string" && UUID_RE.test(s);
