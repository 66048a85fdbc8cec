import { cursorOf, decodeCursor, prefixPattern, seek, type SortSpec } from "../../src/db/keyset";
import { ValidationError } from "../../src/errors";

const spec: SortSpec = { keys: [{ expr: "rank", cast: "int" }, { expr: "lower(name)", cast: "text" }], id: "m.id", descending: false };
const ID = "6f1c1a8e-2b1e-4c55-9a57-0a3f7f7d2b10";

describe("keyset paging", () => {
  it("compares the whole key as one row value, after the given params, in the sort's direction", () => {
    expect(seek(spec, 3)).toEqual({
      where: "(rank, lower(name), m.id) > ($3::int, $4::text, $5::uuid)",
      orderBy: "rank ASC, lower(name) ASC, m.id ASC",
    });
    expect(seek({ ...spec, descending: true }, 1).where).toBe("(rank, lower(name), m.id) < ($1::int, $2::text, $3::uuid)");
  });

  it("round-trips a row's key through an opaque cursor", () => {
    const cursor = cursorOf({ id: ID, k0: 2, k1: "zoë" }, spec);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, spec)).toEqual(["2", "zoë", ID]);
  });

  it.each([
    ["not base64 json", "%%%"],
    ["wrong arity", Buffer.from(JSON.stringify(["1", ID])).toString("base64url")],
    ["non-integer rank", Buffer.from(JSON.stringify(["1; DROP", "a", ID])).toString("base64url")],
    ["NUL in text", Buffer.from(JSON.stringify(["1", "a\u0000", ID])).toString("base64url")],
    ["id not a uuid", Buffer.from(JSON.stringify(["1", "a", "x"])).toString("base64url")],
    ["a number, not a string", Buffer.from(JSON.stringify([1, "a", ID])).toString("base64url")],
  ])("refuses a forged cursor: %s", (_name, cursor) => {
    expect(() => decodeCursor(cursor, spec)).toThrow(ValidationError);
  });

  it("takes % and _ in a search literally", () => {
    expect(prefixPattern("100%_a\\b")).toBe("100\\%\\_a\\\\b%");
  });
});
