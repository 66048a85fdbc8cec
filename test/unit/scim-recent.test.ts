/** scim/recent.ts: the bounded memory behind SCIM writes without a read first. */
import { Recent } from "../../scim/recent";

describe("Recent", () => {
  it("forgets the least recently stored entry past its size, and storing again counts as recent", () => {
    const r = new Recent<number>(2);
    r.set("a", 1);
    r.set("b", 2);
    r.set("a", 3); // a is now the most recent
    r.set("c", 4);
    expect([r.get("a"), r.get("b"), r.get("c")]).toEqual([3, undefined, 4]);
  });

  it("forgets on request", () => {
    const r = new Recent<string>(5);
    r.set("a", "x");
    r.delete("a");
    expect(r.get("a")).toBeUndefined();
  });
});
