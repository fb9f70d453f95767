import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import path from 'node:path';

import { authorityKeyIdentifier } from '../authority-key-id';
import { ECDSA_SHA256, exportPrivateKeyPem, generateP256KeyPair, importP256PrivateKeyPem } from '../keys';
import {
  CERTIFICATE_MODE,
  PRIVATE_KEY_MODE,
  ensurePrivateDirectory,
  readOptionalFile,
  readPrivateKeyFile,
  replaceFile,
} from '../pki-files';
import { canonicalSerial, randomSerialHex } from '../serial';
import { validityWindow } from '../validity';
import { webcrypto } from '../webcrypto';
import * as x509 from '../x509';
import { ID_KP_OCSP_SIGNING, ID_PKIX_OCSP_NOCHECK } from './ocsp-asn1';

/** Validity of the delegated OCSP responder certificate. */
export const OCSP_RESPONDER_VALIDITY_DAYS = 30;
/** A responder certificate this close to notAfter is re-issued. */
export const OCSP_RESPONDER_RENEW_BEFORE_DAYS = 10;

const DAY_MS = 24 * 60 * 60 * 1000;
/** DER of an ASN.1 NULL, the value of the ocsp-nocheck extension. */
const DER_NULL = new Uint8Array([0x05, 0x00]);

/** The delegated responder's certificate and key, as PEM. */
export interface OcspResponderMaterial {
  certPem: string;
  keyPem: string;
  serial: string;
}

/** Returns where the responder key and certificate live under the config directory. */
export function ocspResponderPaths(configDir: string): { key: string; cert: string } {
  return { key: path.join(configDir, 'ocsp', 'responder.key'), cert: path.join(configDir, 'ocsp', 'responder.pem') };
}

/**
 * Loads the delegated OCSP responder certificate from `<configDir>/ocsp/`, issuing a new
 * one (with a new key) when it is missing, does not match its key, was not issued by
 * the current CA, or expires within 10 days. `readCaKey` is called only when a new
 * certificate must be signed, so the CA key stays on disk otherwise.
 *
 * The certificate carries extended key usage id-kp-OCSPSigning only and the
 * id-pkix-ocsp-nocheck extension (RFC 6960 section 4.2.2.2.1), so clients trust its
 * responses without checking the responder's own revocation status.
 */
export async function ensureOcspResponder(options: {
  configDir: string;
  caCertPem: string;
  readCaKey: () => Promise<string>;
  log?: (message: string) => void;
  now?: Date;
}): Promise<OcspResponderMaterial> {
  const paths = ocspResponderPaths(options.configDir);
  await ensurePrivateDirectory(path.dirname(paths.key));

  const keyPem = await readPrivateKeyFile(paths.key);
  const certPem = await readOptionalFile(paths.cert);
  const now = options.now ?? new Date();
  if (keyPem !== null && certPem !== null && isUsable(certPem, keyPem, options.caCertPem, now)) {
    return { certPem, keyPem, serial: canonicalSerial(new X509Certificate(certPem).serialNumber) };
  }

  const issued = await issueResponderCertificate(options.caCertPem, await options.readCaKey());
  await replaceFile(paths.key, issued.keyPem, PRIVATE_KEY_MODE);
  await replaceFile(paths.cert, issued.certPem, CERTIFICATE_MODE);
  options.log?.(`Issued the OCSP responder certificate ${paths.cert} (serial ${issued.serial})`);
  return issued;
}

function isUsable(certPem: string, keyPem: string, caCertPem: string, now: Date): boolean {
  try {
    const certificate = new X509Certificate(certPem);
    const ca = new X509Certificate(caCertPem);
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const remainingMs = new Date(certificate.validTo).getTime() - now.getTime();
    return (
      fromKey.equals(certificate.publicKey.export({ type: 'spki', format: 'der' })) &&
      certificate.checkIssued(ca) &&
      certificate.verify(ca.publicKey) &&
      remainingMs > OCSP_RESPONDER_RENEW_BEFORE_DAYS * DAY_MS
    );
  } catch {
    return false;
  }
}

async function issueResponderCertificate(caCertPem: string, caKeyPem: string): Promise<OcspResponderMaterial> {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await importP256PrivateKeyPem(caKeyPem);
  const keys = await generateP256KeyPair();
  const { notBefore, notAfter } = validityWindow(OCSP_RESPONDER_VALIDITY_DAYS);

  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialHex(),
      subject: [{ CN: ['Patch Manager OCSP Responder'] }],
      issuer: caCert.subjectName,
      notBefore,
      notAfter: notAfter < caCert.notAfter ? notAfter : caCert.notAfter,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([ID_KP_OCSP_SIGNING], false),
        new x509.Extension(ID_PKIX_OCSP_NOCHECK, false, DER_NULL),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await authorityKeyIdentifier(caCert),
      ],
    },
    webcrypto,
  );

  return {
    certPem: certificate.toString('pem'),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    serial: canonicalSerial(certificate.serialNumber),
  };
}
