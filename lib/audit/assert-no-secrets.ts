/**
 * Raised when an audit entry would store a secret. It signals a programming
 * error in the caller, so it is not an AppError and surfaces as a 500.
 */
export class AuditSecretError extends Error {
  override name = 'AuditSecretError';
}

/** Key fragments that name a secret or a hash of one, matched anywhere in the lower-cased key. */
const SECRET_FRAGMENTS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'ticket', 'cookie', 'hash', 'credential', 'apikey', 'privatekey'];

/** Whole words (split at camelCase, `_`, `-` and `.`) that name a secret. */
const SECRET_WORDS = new Set(['key', 'otp', 'totp', 'pin', 'jwt']);

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Last words that make a key an identifier or a count of something, which is not a secret itself. */
const HARMLESS_LAST_WORDS = new Set(['id', 'ids', 'count']);

/**
 * True when a details key looks like it carries a secret, a token or a hash of
 * one. Keys ending in Id, Ids or Count (such as `tokenId`) are allowed.
 */
export function isSecretKey(key: string): boolean {
  const keyWords = words(key);
  if (keyWords.length > 1 && HARMLESS_LAST_WORDS.has(keyWords.at(-1)!)) {
    return false;
  }
  const lower = key.toLowerCase();
  if (SECRET_FRAGMENTS.some((fragment) => lower.includes(fragment))) {
    return true;
  }
  return keyWords.some((word) => SECRET_WORDS.has(word));
}

/**
 * Throws AuditSecretError when any key at any depth of `details` looks like a
 * secret (see isSecretKey), or a string value contains a PEM private key. The
 * application role cannot delete audit rows, so a stored secret would stay.
 */
export function assertNoSecrets(details: unknown, path = 'details'): void {
  if (typeof details === 'string') {
    if (PEM_PRIVATE_KEY.test(details)) {
      throw new AuditSecretError(`${path}: contains a PEM private key; audit rows must never hold secrets`);
    }
    return;
  }
  if (details === null || typeof details !== 'object') {
    return;
  }

  if (Array.isArray(details)) {
    details.forEach((item, index) => assertNoSecrets(item, `${path}[${index}]`));
    return;
  }
  for (const [key, value] of Object.entries(details)) {
    if (isSecretKey(key)) {
      throw new AuditSecretError(
        `${path}.${key}: key looks like a secret, token or hash; audit rows must never hold secrets, so leave it out or rename a harmless field`,
      );
    }
    assertNoSecrets(value, `${path}.${key}`);
  }
}
