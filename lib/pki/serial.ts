import { randomBytes } from 'node:crypto';

/**
 * Returns 128 random bits as 32 hex digits for use as a certificate serial number.
 * @peculiar/x509 prepends a zero octet when the top bit is set, so the DER INTEGER is
 * always positive (RFC 5280 section 4.1.2.2) and at most 17 octets long.
 */
export function randomSerialHex(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Converts a serial number in any common hex spelling (upper or lower case, colons,
 * leading zero octets as OpenSSL and Node.js print them) to the canonical form stored
 * and compared everywhere: lowercase hex of the integer value without leading zeros.
 * Throws on anything that is not hex.
 */
export function canonicalSerial(serial: string): string {
  const digits = serial.replace(/:/g, '').trim();
  if (!/^[0-9a-fA-F]+$/.test(digits)) {
    throw new Error(`Invalid certificate serial number "${serial}": expected hexadecimal digits`);
  }

  return BigInt(`0x${digits}`).toString(16);
}
