import { createPublicKey } from 'node:crypto';

import { authorityKeyIdentifier } from './authority-key-id';
import { derFingerprint } from './fingerprint';
import { ECDSA_SHA256, importP256PrivateKeyPem } from './keys';
import { type RevocationUrls, revocationExtensions } from './revocation-urls';
import { canonicalSerial, randomSerialHex } from './serial';
import { validityWindow } from './validity';
import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/** Largest CSR PEM accepted; a P-256 or Ed25519 CSR is well under 1 KiB. */
export const MAX_CSR_PEM_LENGTH = 16 * 1024;

/**
 * Maximum agent certificate validity accepted by `signAgentCsr`, in days. It is a bound
 * against a mistyped setting, not a recommendation: agents renew long before this.
 */
export const MAX_AGENT_CERT_VALIDITY_DAYS = 825;

/** Prefix of the URI subjectAltName that names the host an agent certificate belongs to. */
export const HOST_URI_PREFIX = 'urn:pm:host:';

/** Host ids the CA certifies: they appear in the subject CN and a URN, so only URN-safe characters. */
const HOST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Stable reason code of a CSR rejection, for callers and logs. */
export type CsrRejectionReason = 'malformed' | 'too-large' | 'unsupported-key' | 'bad-signature';

/**
 * A CSR that the CA will not sign. The message is safe to show to the enrolling agent:
 * it names what is wrong with the request and nothing about the CA.
 */
export class CsrRejectedError extends Error {
  override readonly name = 'CsrRejectedError';
  readonly code = 'CSR_REJECTED';

  constructor(
    readonly reason: CsrRejectionReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Issues an agent's client certificate from its PKCS#10 CSR. Checks run in this order:
 * size, PEM and DER structure, public key type (ECDSA P-256 or Ed25519 only), then the
 * CSR's own signature as proof that the agent has the private key. Every name,
 * attribute and extension the CSR asks for is ignored: the certificate always has
 * subject CN = hostId, the single subjectAltName URI `urn:pm:host:<hostId>`, extended key
 * usage clientAuth only, key usage digitalSignature, basicConstraints CA:FALSE, and key
 * identifiers. With `revocationUrls`, it also names the CRL distribution point and the
 * OCSP responder. notAfter is capped at the CA's notAfter.
 *
 * Throws `CsrRejectedError` for a bad CSR, and a plain `Error` for a bad hostId or
 * validityDays, or when the CA key does not match the CA certificate.
 *
 * @returns the certificate with its serial in canonical form (lowercase hex without
 *   leading zeros, see `canonicalSerial`), its SHA-256 fingerprint and its validity
 *   exactly as encoded.
 */
export async function signAgentCsr(options: {
  caCertPem: string;
  caKeyPem: string;
  csrPem: string;
  hostId: string;
  validityDays: number;
  revocationUrls?: RevocationUrls;
}): Promise<{ certPem: string; serial: string; fingerprint: string; notBefore: Date; notAfter: Date }> {
  const { hostId, validityDays } = options;
  if (!HOST_ID_PATTERN.test(hostId)) {
    throw new Error(`Invalid host id "${hostId}": expected 1-128 letters, digits, dots, dashes or underscores`);
  }
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_AGENT_CERT_VALIDITY_DAYS) {
    throw new Error(`Invalid validityDays ${validityDays}: expected a whole number from 1 to ${MAX_AGENT_CERT_VALIDITY_DAYS}`);
  }

  const csr = parseCsr(options.csrPem);
  checkPublicKeyType(csr.publicKey);
  await checkSignature(csr);

  const caCert = new x509.X509Certificate(options.caCertPem);
  const caKey = await importP256PrivateKeyPem(options.caKeyPem);
  const { notBefore, notAfter } = validityWindow(validityDays);

  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialHex(),
      subject: [{ CN: [hostId] }],
      issuer: caCert.subjectName,
      notBefore,
      notAfter: notAfter < caCert.notAfter ? notAfter : caCert.notAfter,
      publicKey: csr.publicKey,
      signingKey: caKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `${HOST_URI_PREFIX}${hostId}` }], false),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey, false, webcrypto),
        await authorityKeyIdentifier(caCert),
        ...(options.revocationUrls ? revocationExtensions(options.revocationUrls) : []),
      ],
    },
    webcrypto,
  );

  if (!(await certificate.verify({ publicKey: caCert.publicKey, signatureOnly: true }, webcrypto))) {
    throw new Error('The internal CA key does not match the CA certificate; the issued certificate does not verify');
  }

  return {
    certPem: certificate.toString('pem'),
    serial: canonicalSerial(certificate.serialNumber),
    fingerprint: derFingerprint(new Uint8Array(certificate.rawData)),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}

function parseCsr(csrPem: string): x509.Pkcs10CertificateRequest {
  if (csrPem.length > MAX_CSR_PEM_LENGTH) {
    throw new CsrRejectedError('too-large', `CSR is larger than ${MAX_CSR_PEM_LENGTH} characters`);
  }

  let blocks: x509.PemStruct[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(csrPem);
  } catch {
    blocks = [];
  }
  const requests = blocks.filter((block) => block.type === 'CERTIFICATE REQUEST' || block.type === 'NEW CERTIFICATE REQUEST');
  if (blocks.length !== 1 || requests.length !== 1 || !requests[0]) {
    throw new CsrRejectedError(
      'malformed',
      'CSR must be exactly one PEM block starting with "-----BEGIN CERTIFICATE REQUEST-----"',
    );
  }

  try {
    return new x509.Pkcs10CertificateRequest(requests[0].rawData);
  } catch {
    throw new CsrRejectedError('malformed', 'CSR is not a valid PKCS#10 certificate request');
  }
}

function checkPublicKeyType(publicKey: x509.PublicKey): void {
  let keyType: string | undefined;
  let curve: string | undefined;
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey.rawData), format: 'der', type: 'spki' });
    keyType = key.asymmetricKeyType;
    curve = key.asymmetricKeyDetails?.namedCurve;
  } catch {
    keyType = undefined;
  }

  if (keyType === 'ed25519' || (keyType === 'ec' && curve === 'prime256v1')) {
    return;
  }

  let found = 'an unrecognised key';
  if (keyType === 'ec') {
    found = `an EC key on curve ${curve ?? 'unknown'}`;
  } else if (keyType !== undefined) {
    found = `a ${keyType.toUpperCase()} key`;
  }
  throw new CsrRejectedError(
    'unsupported-key',
    `CSR contains ${found}; only ECDSA P-256 (prime256v1) and Ed25519 keys are accepted`,
  );
}

async function checkSignature(csr: x509.Pkcs10CertificateRequest): Promise<void> {
  let valid: boolean;
  try {
    valid = await csr.verify(webcrypto);
  } catch {
    valid = false;
  }

  if (!valid) {
    throw new CsrRejectedError(
      'bad-signature',
      'CSR signature is invalid: the request was altered or not signed with the private key it contains',
    );
  }
}
