import { COMMANDS } from "../../src/cli/commands";
import { USAGE, usage } from "../../src/cli/usage";

it("has a synopsis for every CLI command and none for a command that does not exist", () => {
  expect(Object.keys(USAGE).sort()).toEqual(Object.keys(COMMANDS).sort());
});

it("prints one command's usage, or a group's", () => {
  const names = Object.keys(COMMANDS);
  expect(usage(names, "user set-password")).toBe("Usage:\n  roster user set-password --email EMAIL --password PW [--json]\n\nSet an account's password (replacing one signs that account out everywhere).\n");
  const group = usage(names, "scim-token");
  expect(group.match(/^ {2}roster /gm)).toHaveLength(3);
});
