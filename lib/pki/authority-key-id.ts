import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/**
 * Builds the authorityKeyIdentifier extension for a certificate issued by `caCert`. It
 * copies the CA's own subjectKeyIdentifier when present, because chain builders match
 * the two byte for byte. Otherwise it derives the identifier from the CA public key as
 * the SHA-1 of the key bits (RFC 5280 section 4.2.1.2, method 1).
 */
export async function authorityKeyIdentifier(caCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const subjectKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (subjectKeyId) {
    return new x509.AuthorityKeyIdentifierExtension(subjectKeyId.keyId, false);
  }

  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, webcrypto);
}
