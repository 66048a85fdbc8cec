/**
 * Encryption at rest of a directory's credential (service-account key JSON or OAuth refresh
 * token): the SSO secrets scheme (AES-256-GCM, HKDF from ENCRYPTION_KEY), bound to the directory
 * id as associated data, so a ciphertext copied onto another row does not decrypt.
 */
import { decryptSecret, encryptSecret } from "../sso/secrets";

const aad = (directoryId: string) => `directory:${directoryId}`;

export type StoredCredential =
  | { kind: "service_account"; key: { client_email: string; private_key: string; private_key_id?: string; token_uri?: string } }
  | { kind: "oauth"; refreshToken: string };

export const sealCredential = (encryptionKey: string, directoryId: string, c: StoredCredential): string =>
  encryptSecret(encryptionKey, aad(directoryId), JSON.stringify(c));

export const openCredential = (encryptionKey: string, directoryId: string, stored: string): StoredCredential =>
  JSON.parse(decryptSecret(encryptionKey, aad(directoryId), stored)) as StoredCredential;
