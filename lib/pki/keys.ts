import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/** Key generation parameters for every key the internal CA creates. */
export const P256_KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** Signature algorithm used by the internal CA and by agent CSRs. */
export const ECDSA_SHA256: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/**
 * Generates an ECDSA P-256 key pair. The private key is extractable because it is
 * written to disk as PKCS#8 right after generation.
 */
export async function generateP256KeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(P256_KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** Exports a private key as a PKCS#8 PEM block (`-----BEGIN PRIVATE KEY-----`). */
export async function exportPrivateKeyPem(privateKey: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Imports a PKCS#8 PEM ECDSA P-256 private key for signing. Throws when the PEM has no
 * `PRIVATE KEY` block or the key is not a P-256 key.
 */
export async function importP256PrivateKeyPem(pem: string): Promise<CryptoKey> {
  const block = x509.PemConverter.decodeWithHeaders(pem).find((item) => item.type === 'PRIVATE KEY');
  if (!block) {
    throw new Error('Private key is not a PKCS#8 PEM block (expected "-----BEGIN PRIVATE KEY-----")');
  }

  return webcrypto.subtle.importKey('pkcs8', block.rawData, P256_KEY_ALGORITHM, false, ['sign']);
}
