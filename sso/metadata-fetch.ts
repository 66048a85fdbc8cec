/**
 * Fetches an IdP's SAML metadata by URL (Entra's "App Federation Metadata Url", Okta's metadata
 * URL, AD FS's FederationMetadata.xml). https only, verified against Node's trusted CAs (add a
 * private CA with NODE_EXTRA_CA_CERTS), no redirects, 10 s, 1 MiB. The URL comes from an org
 * admin, so the server refuses to reach loopback, private and link-local addresses (SSRF),
 * except in test wiring (config.ssoAllowInsecureLoopbackIssuers). Failures are described in
 * words an admin can act on.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request } from "node:https";
import { BlockList, isIP } from "node:net";

export const METADATA_TIMEOUT_MS = 10_000;
export const METADATA_MAX_BYTES = 1024 * 1024;

export class MetadataFetchError extends Error {}

const PRIVATE = new BlockList();
for (const [net, bits] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.168.0.0", 16]] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [["::1", 128], ["fc00::", 7], ["fe80::", 10], ["::", 128]] as const) PRIVATE.addSubnet(net, bits, "ipv6");

function isPrivate(address: string): boolean {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return mapped ? PRIVATE.check(mapped, "ipv4") : PRIVATE.check(address, family);
}

export function checkMetadataUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new MetadataFetchError("is not a valid URL");
  }
  if (u.protocol !== "https:") throw new MetadataFetchError("must be an https:// URL");
  return u;
}

function describe(err: NodeJS.ErrnoException): string {
  const code = err.code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) return "its TLS certificate is not trusted by this server";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name could not be resolved";
  if (code === "ECONNREFUSED") return "the connection was refused";
  if (code === "ETIMEDOUT" || code === "ABORT_ERR") return "it did not answer in time";
  return err.message || "the request failed";
}

export function fetchMetadata(raw: string, opts: { allowPrivate: boolean }): Promise<string> {
  let url: URL;
  try {
    url = checkMetadataUrl(raw);
  } catch (err) {
    return Promise.reject(err);
  }
  // An IP literal never goes through `lookup`: check it here.
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(literal) && !opts.allowPrivate && isPrivate(literal)) {
    return Promise.reject(new MetadataFetchError("points to a private or loopback address, which Roster does not fetch"));
  }
  const lookup = (host: string, options: object, cb: (e: NodeJS.ErrnoException | null, a: string | LookupAddress[], f?: number) => void) => {
    dnsLookup(host, { ...options, all: false }, (err, address, family) => {
      if (err) return cb(err, "", family);
      if (!opts.allowPrivate && isPrivate(address as string)) return cb(Object.assign(new Error("private address"), { code: "EPRIVATE" }), "", family);
      cb(null, address as string, family);
    });
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", lookup: lookup as never, timeout: METADATA_TIMEOUT_MS, headers: { accept: "application/samlmetadata+xml, application/xml, text/xml" } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new MetadataFetchError(`answered HTTP ${res.statusCode}${res.statusCode && res.statusCode >= 300 && res.statusCode < 400 ? " (a redirect: give the final URL)" : ""}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > METADATA_MAX_BYTES) {
          req.destroy();
          reject(new MetadataFetchError("sent more than 1 MiB, which is not SAML metadata"));
        } else chunks.push(c);
      });
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", (e) => reject(new MetadataFetchError(describe(e))));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.on("error", (e: NodeJS.ErrnoException) => reject(e instanceof MetadataFetchError ? e
      : new MetadataFetchError(e.code === "EPRIVATE" ? "points to a private or loopback address, which Roster does not fetch" : describe(e))));
    req.end();
  });
}
