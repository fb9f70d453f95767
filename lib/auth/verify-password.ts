import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { hashPassword, normalizePassword } from './hash-password';
import { PASSWORD_MAX_LENGTH } from './password-policy';
import {
  ARGON2_VERSION,
  PASSWORD_HASH_LENGTH,
  PASSWORD_HASH_PARAMS,
  parseEncodedHash,
  type Argon2Params,
} from './password-params';

export interface PasswordVerification {
  /** The password matches the stored hash. */
  valid: boolean;
  /**
   * The stored hash is weaker than the current parameters (another Argon2 variant or
   * version, less memory, fewer passes or a shorter tag). When `valid` is true the
   * caller should store `hashPassword(password)` in its place.
   */
  needsRehash: boolean;
}

/**
 * Checks a password against a stored Argon2 hash. The comparison is argon2.verify's own
 * constant-time one. A hash that cannot be parsed, and a password longer than the policy
 * maximum, give `valid: false` without hashing, so an oversized input costs nothing.
 *
 * @param current the parameters new hashes use; a stored hash below them needs a rehash.
 */
export async function verifyPassword(
  storedHash: string,
  password: string,
  current: Argon2Params = PASSWORD_HASH_PARAMS,
): Promise<PasswordVerification> {
  const stored = parseEncodedHash(storedHash);
  if (!stored || [...password].length > PASSWORD_MAX_LENGTH) {
    return { valid: false, needsRehash: false };
  }

  const valid = await argon2.verify(storedHash, normalizePassword(password));
  const needsRehash =
    stored.type !== 'argon2id' ||
    stored.version !== ARGON2_VERSION ||
    stored.memoryCost < current.memoryCost ||
    stored.timeCost < current.timeCost ||
    stored.hashLength < PASSWORD_HASH_LENGTH;

  return { valid, needsRehash };
}

let dummyHash: Promise<string> | undefined;

/**
 * Runs one Argon2 verification with `PASSWORD_HASH_PARAMS` against a hash of a random
 * password and returns false.
 * Sign-in calls it when the username does not exist, so an unknown user takes as long
 * as a wrong password and response times do not reveal which usernames exist.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  await verifyPassword(await dummyHash, password);
  return false;
}
