import { X509Certificate, createHash } from 'node:crypto';

/**
 * Returns the SHA-256 fingerprint of a PEM certificate's DER encoding as 64 lowercase hex
 * digits without colons, the form stored in the database and pinned by agents.
 * Throws when the PEM is not a certificate.
 */
export function certificateFingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return derFingerprint(der);
}

/** Returns the SHA-256 fingerprint of DER bytes in the same form as `certificateFingerprint`. */
export function derFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Converts a user-entered SHA-256 fingerprint (upper or lower case, with or without
 * colons, surrounding whitespace ignored) to the canonical form. Throws when the input
 * is not exactly 64 hex digits, so a truncated or SHA-1 fingerprint is never accepted.
 */
export function normalizeFingerprint(input: string): string {
  const trimmed = input.trim();
  const digits = trimmed.replace(/:/g, '');
  const colonsWellPlaced = !trimmed.includes(':') || /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){31}$/.test(trimmed);

  if (!/^[0-9a-fA-F]{64}$/.test(digits) || !colonsWellPlaced) {
    throw new Error(
      `Invalid SHA-256 fingerprint "${input}": expected 64 hex digits, optionally as 32 colon-separated pairs`,
    );
  }

  return digits.toLowerCase();
}
