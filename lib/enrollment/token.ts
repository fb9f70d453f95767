import crypto from 'node:crypto';

/** Prefix that makes an enrollment token recognisable in a paste or a secret scanner. */
export const ENROLLMENT_TOKEN_PREFIX = 'pmet_';

/** Generates a token with 256 bits of randomness. */
export function generateEnrollmentToken(): string {
  return ENROLLMENT_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** SHA-256 of the token, the only form the database stores. */
export function hashEnrollmentToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Builds the command an operator runs as root on the host. The token goes in the
 * environment, which only root and the process itself can read, instead of argv,
 * which other local users can read in the process list. Tokens, URLs and fingerprints
 * need no shell quoting.
 */
export function enrollCommand(options: { serverUrl: string; token: string; caFingerprint: string }): string {
  return `PM_ENROLL_TOKEN=${options.token} npx pm-agent enroll --server ${options.serverUrl} --ca-fingerprint ${options.caFingerprint}`;
}
