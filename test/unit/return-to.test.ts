/** The sign-in page's returnTo (public/js/return-to.js), resolved as a browser resolves it. */
import { safeReturnTo } from "../../public/js/return-to.js";

const ORIGIN = "https://roster.example";

it.each([
  ["/%09/evil.example/phish"], ["/\t/evil.example/phish"], ["/\n/evil.example"], ["/\r\n/evil.example"], ["//evil.example"],
  ["/\\evil.example"], ["\\/evil.example"], ["https://evil.example/"], ["javascript:alert(1)"], ["/\t\\evil.example"],
  ["/ /evil.example"], ["http:/evil.example"], [""], [null], ["/%2F%2Fevil.example"],
])("keeps %j on this origin", (value) => {
  // As login.js does: URLSearchParams decodes the query first.
  const decoded = typeof value === "string" ? new URLSearchParams(`returnTo=${value.replace(/[\t\r\n ]/g, encodeURIComponent)}`).get("returnTo") : value;
  for (const v of [value, decoded]) {
    const target = safeReturnTo(v, ORIGIN);
    expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
    expect(target).toMatch(/^\/(?![/\\])/);
  }
});

it("keeps a page of this site with its query and fragment", () => {
  expect(safeReturnTo("/orgs/1/members?tab=x#top", ORIGIN)).toBe("/orgs/1/members?tab=x#top");
  expect(safeReturnTo("/invitations/abc", ORIGIN)).toBe("/invitations/abc");
  expect(safeReturnTo("/%09/evil.example/phish", ORIGIN)).toBe("/%09/evil.example/phish");
});
