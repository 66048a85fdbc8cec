/**
 * `roster --help` and `roster <command> --help`: one synopsis per command, kept here in one
 * place (a unit test checks that every command has one).
 */
import { UsageError } from "./flags";

export const USAGE: Record<string, { flags: string; what: string }> = {
  "migrate": { flags: "", what: "Run pending database migrations (also creates a new embedded database)." },
  "org create": { flags: "--name NAME --plan free|pro|enterprise --owner-email EMAIL [--owner-password PW] [--owner-name NAME]", what: "Create an organization and its Owner." },
  "org domain add": { flags: "--org ORG_ID --domain DOMAIN [--verified]", what: "Add a domain to an organization (--verified: without the DNS check)." },
  "user set-password": { flags: "--email EMAIL --password PW", what: "Set an account's password (replacing one signs that account out everywhere)." },
  "scim-token create": { flags: "--org ORG_ID [--name NAME]", what: "Create a SCIM bearer token (shown only once)." },
  "scim-token list": { flags: "--org ORG_ID", what: "List an organization's SCIM tokens." },
  "scim-token revoke": { flags: "--id TOKEN_ID", what: "Revoke a SCIM token at once." },
  "scim map-group": { flags: "--org ORG_ID --group NAME --role owner|admin|member", what: "Map an identity-provider group to a role." },
  "sso saml create": { flags: "--org ORG_ID [--name NAME] (--idp-metadata-file FILE | --idp-entity-id ID --idp-sso-url URL --idp-cert-file FILE...) [--allow-idp-initiated] [--jit-role ROLE]", what: "Add a SAML connection." },
  "sso oidc create": { flags: "--org ORG_ID [--name NAME] --issuer URL --client-id ID --client-secret SECRET [--trust-emails] [--jit-role ROLE]", what: "Add an OpenID Connect connection." },
  "sso list": { flags: "--org ORG_ID", what: "List an organization's SSO connections." },
  "sso delete": { flags: "--id CONNECTION_ID", what: "Delete an SSO connection." },
  "directory google create": { flags: "--org ORG_ID --service-account-file key.json --admin-email EMAIL [--api-root URL] [--org-unit /Path]... [--group EMAIL]... [--interval-minutes 15]", what: "Connect a Google Workspace directory." },
  "directory sync": { flags: "--id DIRECTORY_ID", what: "Sync a directory now." },
  "directory confirm": { flags: "--id DIRECTORY_ID", what: "Apply a sync that was held for confirmation." },
  "directory list": { flags: "--org ORG_ID", what: "List an organization's directories." },
  "directory delete": { flags: "--id DIRECTORY_ID", what: "Delete a directory (its members stay)." },
  "mail list": { flags: "[--to EMAIL] [--limit N]", what: "Show the outbox, newest first." },
};

const line = (name: string): string => `  roster ${name}${USAGE[name]?.flags ? ` ${USAGE[name].flags}` : ""}`;

/** Usage of one command, or of every command whose name starts with `prefix` (all when empty). */
export function usage(names: string[], prefix = ""): string {
  const matching = names.filter((n) => n === prefix || n.startsWith(`${prefix} `) || prefix === "").sort();
  if (matching.length === 1 && matching[0] === prefix) {
    return `Usage:\n${line(prefix)} [--json]\n\n${USAGE[prefix]?.what ?? ""}\n`;
  }
  return [
    "Usage: roster <command> [flags] [--json]", "",
    "Commands:", ...matching.map((n) => `${line(n)}\n      ${USAGE[n]?.what ?? ""}`), "",
    "With --json a command prints one JSON object on stdout. Errors are one line on stderr; exit code 2",
    "for usage errors, 1 otherwise. `roster <command> --help` shows one command.",
    "The database: DATABASE_URL, else the embedded one in DATA_DIR (default ./data).", "",
  ].join("\n");
}

/** The help for `roster <words…> --help`: the command, else the longest group the words name. */
export function helpFor(names: string[], words: string[]): string {
  let prefix = words.join(" ");
  while (prefix && !names.some((n) => n === prefix || n.startsWith(`${prefix} `))) prefix = prefix.split(" ").slice(0, -1).join(" ");
  if (words.length && !prefix) throw new UsageError(`unknown command "${words.join(" ")}". Commands: roster --help`);
  return usage(names, prefix);
}
