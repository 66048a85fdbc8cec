/**
 * Encryption at rest for SSO client secrets: AES-256-GCM with a key derived by HKDF-SHA256 from
 * ENCRYPTION_KEY (or SESSION_SECRET). Output `v1.<iv>.<tag>.<ciphertext>` (base64url), so the
 * format and key derivation can change later. The connection id is bound as associated data:
 * a ciphertext copied onto another connection does not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const INFO = "roster sso client secret v1";

function key(encryptionKey: string): Buffer {
  return Buffer.from(hkdfSync("sha256", encryptionKey, "roster", INFO, 32));
}

export function encryptSecret(encryptionKey: string, connectionId: string, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key(encryptionKey), iv);
  c.setAAD(Buffer.from(connectionId));
  const ct = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
  return ["v1", iv, c.getAuthTag(), ct].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

export function decryptSecret(encryptionKey: string, connectionId: string, stored: string): string {
  const [v, iv, tag, ct] = stored.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error("unknown secret format");
  const d = createDecipheriv("aes-256-gcm", key(encryptionKey), Buffer.from(iv, "base64url"));
  d.setAAD(Buffer.from(connectionId));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([d.update(Buffer.from(ct, "base64url")), d.final()]).toString("utf8");
}
