import { pkiPaths } from './paths';
import { readPrivateKeyFile } from './pki-files';

/**
 * Reads the internal CA's private key from `<configDir>/ca/ca.key` for one signing
 * operation. Callers keep the PEM only for that operation, so the web process does not
 * hold the CA key between enrollments, renewals and CRL updates. Throws when the key
 * is missing or readable by group or others.
 */
export async function readCaKey(configDir: string): Promise<string> {
  const path = pkiPaths(configDir).caKey;
  const keyPem = await readPrivateKeyFile(path);
  if (keyPem === null) {
    throw new Error(`Internal CA key ${path} is missing; restore it from a backup`);
  }
  return keyPem;
}
