import crypto from 'node:crypto';

/** Number of recovery codes each generation issues. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Crockford's Base32 alphabet in lower case: no i, l, o or u, so a code read aloud
 * or copied by hand is not ambiguous. 32 symbols carry 5 bits each.
 */
export const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Symbols per code: 12 × 5 = 60 bits of randomness, shown as `xxxx-xxxx-xxxx`. */
const RECOVERY_CODE_LENGTH = 12;

const HASH_SCHEME = 'sha256';

/** Creates one recovery code, formatted `xxxx-xxxx-xxxx`. */
export function createRecoveryCode(): string {
  const bytes = crypto.randomBytes(RECOVERY_CODE_LENGTH);

  // 256 is a multiple of 32, so taking the low 5 bits of a random byte is unbiased.
  const symbols = Array.from(bytes, (byte) => RECOVERY_CODE_ALPHABET[byte & 31]).join('');
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8, 12)}`;
}

/**
 * Returns the canonical form of a typed code: lower case, without spaces or
 * hyphens, with the look-alikes i and l read as 1 and o as 0. Returns null for
 * anything that cannot be a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const canonical = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');

  if (canonical.length !== RECOVERY_CODE_LENGTH) {
    return null;
  }
  for (const symbol of canonical) {
    if (!RECOVERY_CODE_ALPHABET.includes(symbol)) {
      return null;
    }
  }
  return canonical;
}

/**
 * Hashes a code for storage as `sha256$<salt>$<digest>`, the digest being
 * SHA-256 over a 16-byte random salt and the canonical code.
 *
 * A fast hash is enough because each code carries 60 random bits. An offline search
 * of a stolen table needs about 2^59 SHA-256 evaluations per code, and the per-code
 * salt stops one search from covering all codes and users at once. A slow password
 * hash would add little against 60 random bits. It would cost its memory up to ten
 * times per sign-in, because a salted hash is checked against every unused code.
 */
export function hashRecoveryCode(code: string): string {
  const canonical = normalizeRecoveryCode(code);
  if (canonical === null) {
    throw new Error('not a recovery code');
  }

  const salt = crypto.randomBytes(16);
  return `${HASH_SCHEME}$${salt.toString('base64url')}$${digest(salt, canonical).toString('base64url')}`;
}

/** Compares a canonical code with a stored hash in constant time. */
export function recoveryCodeMatches(canonical: string, storedHash: string): boolean {
  const [scheme, saltText, digestText] = storedHash.split('$');
  if (scheme !== HASH_SCHEME || !saltText || !digestText) {
    return false;
  }

  const expected = Buffer.from(digestText, 'base64url');
  const actual = digest(Buffer.from(saltText, 'base64url'), canonical);
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

function digest(salt: Buffer, canonical: string): Buffer {
  return crypto.createHash('sha256').update(salt).update(canonical, 'utf8').digest();
}
