import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

import { certificateFingerprint } from './fingerprint';
import { parseHostNames, uncoveredHostNames } from './host-names';

/** An uploaded console certificate that the web listener cannot use; the message names the fix. */
export class UploadedChainError extends Error {
  override readonly name = 'UploadedChainError';

  constructor(
    readonly field: 'certificateChain' | 'privateKey',
    message: string,
  ) {
    super(message);
  }
}

/** A validated upload, ready for the web listener. */
export interface ValidatedChain {
  /** Leaf and intermediates as PEM, without the self-signed root, in the order TLS sends them. */
  servedChainPem: string;
  /** Every certificate of the upload, root included, as PEM; what is stored and validated again at start. */
  fullChainPem: string;
  keyPem: string;
  subject: string;
  fingerprint: string;
  notAfter: Date;
}

const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Validates an uploaded console certificate chain and key. The checks run in this
 * order: the key is an unencrypted PEM private key (RSA of at least 2048 bits, EC
 * P-256 or P-384, or Ed25519); the chain holds 1 to 10 PEM certificates, leaf first;
 * the leaf's public key matches the key; every certificate is signed by the next one
 * and the last one is a self-signed root, so the chain is complete within the upload;
 * every certificate is within its validity at `now`; the leaf allows serverAuth when it
 * restricts extended key usage; and its subjectAltName covers the host of `publicUrl`.
 * Throws `UploadedChainError` naming the failing field.
 */
export function validateUploadedChain(options: {
  chainPem: string;
  keyPem: string;
  publicUrl: string;
  now?: Date;
}): ValidatedChain {
  const now = options.now ?? new Date();
  const key = parsePrivateKey(options.keyPem);
  const certificates = parseChain(options.chainPem);
  const leaf = certificates[0]!;

  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!fromKey.equals(leaf.publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new UploadedChainError('privateKey', 'the private key does not belong to the first certificate of the chain');
  }

  for (let index = 0; index < certificates.length - 1; index++) {
    const child = certificates[index]!;
    const parent = certificates[index + 1]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new UploadedChainError(
        'certificateChain',
        `certificate ${index + 1} (${child.subject.replace(/\n/g, ', ')}) is not signed by certificate ${index + 2}; put the chain in order, leaf first`,
      );
    }
  }
  const root = certificates[certificates.length - 1]!;
  if (!root.checkIssued(root) || !root.verify(root.publicKey)) {
    throw new UploadedChainError(
      'certificateChain',
      'the chain does not end with a self-signed root certificate; append the intermediate and root certificates',
    );
  }

  certificates.forEach((certificate, index) => {
    const notBefore = new Date(certificate.validFrom);
    const notAfter = new Date(certificate.validTo);
    if (now < notBefore || now >= notAfter) {
      throw new UploadedChainError(
        'certificateChain',
        `certificate ${index + 1} is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}, not now`,
      );
    }
  });

  const extendedKeyUsage = leaf.keyUsage;
  if (extendedKeyUsage !== undefined && !extendedKeyUsage.includes(SERVER_AUTH_OID)) {
    throw new UploadedChainError('certificateChain', 'the certificate does not allow TLS server authentication (serverAuth)');
  }

  const host = new URL(options.publicUrl).hostname;
  const missing = uncoveredHostNames(leaf, parseHostNames([host]));
  if (missing.length > 0) {
    throw new UploadedChainError('certificateChain', `the certificate does not cover the console's host ${missing.join(', ')}`);
  }

  const served = certificates.length > 1 ? certificates.slice(0, -1) : certificates;
  return {
    servedChainPem: toPem(served),
    fullChainPem: toPem(certificates),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    subject: leaf.subject.replace(/\n/g, ', '),
    fingerprint: certificateFingerprint(leaf.toString()),
    notAfter: new Date(leaf.validTo),
  };
}

function parsePrivateKey(keyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(keyPem);
    throw new UploadedChainError(
      'privateKey',
      encrypted
        ? 'the private key is encrypted; upload it without a passphrase'
        : `the private key is not a PEM private key (${(error as Error).message})`,
    );
  }

  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const supported =
    (type === 'rsa' && (details?.modulusLength ?? 0) >= 2048) ||
    (type === 'ec' && ['prime256v1', 'secp384r1'].includes(details?.namedCurve ?? '')) ||
    type === 'ed25519';
  if (!supported) {
    throw new UploadedChainError('privateKey', 'the key type is not supported; use RSA (2048 bits or more), ECDSA P-256 or P-384, or Ed25519');
  }
  return key;
}

function parseChain(chainPem: string): X509Certificate[] {
  const blocks = chainPem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0 || blocks.length > 10) {
    throw new UploadedChainError('certificateChain', `expected 1 to 10 PEM certificates, found ${blocks.length}`);
  }

  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new UploadedChainError('certificateChain', `certificate ${index + 1} cannot be parsed (${(error as Error).message})`);
    }
  });
}

function toPem(certificates: X509Certificate[]): string {
  return `${certificates.map((certificate) => certificate.toString().trim()).join('\n')}\n`;
}
