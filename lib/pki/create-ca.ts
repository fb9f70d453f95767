import { randomBytes } from 'node:crypto';

import { ECDSA_SHA256, exportPrivateKeyPem, generateP256KeyPair } from './keys';
import { randomSerialHex } from './serial';
import { validityWindow } from './validity';
import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/** Validity of the internal CA certificate: ten years of 365 days. */
export const CA_VALIDITY_DAYS = 3650;

/**
 * Creates a new self-signed internal CA with an ECDSA P-256 key. The CN carries a random
 * suffix so two installations never share a CA name, which would make their certificate
 * chains ambiguous to a client that trusts both. pathLen 0 lets the CA sign end-entity
 * certificates only, never another CA.
 */
export async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateP256KeyPair();
  const { notBefore, notAfter } = validityWindow(CA_VALIDITY_DAYS);
  const suffix = randomBytes(4).toString('hex');

  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialHex(),
      name: [{ CN: [`Patch Manager Internal CA ${suffix}`] }],
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );

  return {
    certPem: certificate.toString('pem'),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}
