import argon2 from 'argon2';
import { PASSWORD_HASH_LENGTH, PASSWORD_HASH_PARAMS, canonicalEncodedHash, type Argon2Params } from './password-params';

/**
 * Converts a password to the form that is hashed: Unicode NFKC, so the same password
 * typed on keyboards or input methods that produce different code points still matches.
 * `verifyPassword` applies the same step.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Hashes a password with Argon2id and a fresh 16-byte random salt, returning the PHC
 * string (`$argon2id$v=19$m=65536,t=3,p=1$<salt>$<tag>`, parameters in the reference
 * order) that is the only form ever stored. The caller runs `checkPasswordPolicy` first.
 *
 * @param params cost parameters; the default is `PASSWORD_HASH_PARAMS`.
 */
export async function hashPassword(password: string, params: Argon2Params = PASSWORD_HASH_PARAMS): Promise<string> {
  const encoded = await argon2.hash(normalizePassword(password), {
    type: argon2.argon2id,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    hashLength: PASSWORD_HASH_LENGTH,
  });
  return canonicalEncodedHash(encoded);
}
