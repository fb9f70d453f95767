import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BINDING_COOKIE, readCookie } from './session-cookies';

/** Request header in which API clients that send `Authorization: Bearer` present the binding secret. */
export const BINDING_HEADER = 'x-pm-binding';

/**
 * Sign-in request header with which an API client requests the binding secret in the
 * JSON body of the response. The console's own pages do not send it, so their scripts
 * never receive the secret.
 */
export const RETURN_BINDING_HEADER = 'x-pm-return-binding';

/** Entropy of a binding secret in bytes (256 bits). */
const BINDING_SECRET_BYTES = 32;

/** A binding secret as issued: 32 random bytes in base64url without padding. */
const BINDING_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Creates a new binding secret. The client keeps it; the server stores only its hash. */
export function generateBindingSecret(): string {
  return randomBytes(BINDING_SECRET_BYTES).toString('base64url');
}

/**
 * Returns the SHA-256 of a binding secret in base64url, the form stored on the session
 * and carried in the access token's `cnf.bkt` claim. A plain hash suffices because the
 * secret has 256 bits of entropy.
 */
export function hashBindingSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/**
 * Returns the binding secret a request presents: the `X-PM-Binding` header first, else
 * the binding cookie. Returns null when neither is present or the value does not have the
 * shape of an issued secret.
 */
export function bindingSecretFrom(headers: { get(name: string): string | null }): string | null {
  const value = headers.get(BINDING_HEADER)?.trim() || readCookie(headers.get('cookie'), BINDING_COOKIE);
  return value && BINDING_SECRET_PATTERN.test(value) ? value : null;
}

/**
 * Returns true when `secret` hashes to `expectedHash`. The comparison runs in constant
 * time over the two digests, so the response time does not reveal how many bytes matched.
 */
export function bindingMatches(secret: string | null, expectedHash: string | null): boolean {
  if (secret === null || expectedHash === null) {
    return false;
  }
  const presented = Buffer.from(hashBindingSecret(secret), 'base64url');
  const expected = Buffer.from(expectedHash, 'base64url');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
