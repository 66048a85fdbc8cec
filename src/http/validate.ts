/** Request validation with zod: every problem becomes a field-level message in one 400. */
import type { z } from "zod";
import { ValidationError } from "../errors";

export function parse<T extends z.ZodType>(schema: T, value: unknown, prefix = ""): z.infer<T> {
  const r = schema.safeParse(value ?? {});
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
