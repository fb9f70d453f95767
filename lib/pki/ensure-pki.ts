import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import path from 'node:path';

import { createCa } from './create-ca';
import { certificateFingerprint } from './fingerprint';
import { type HostNameSet, parseHostNames, uncoveredHostNames } from './host-names';
import { issueWebCertificate } from './issue-web-certificate';
import { pkiPaths } from './paths';
import { hasRevocationUrls, type RevocationUrls } from './revocation-urls';
import {
  CERTIFICATE_MODE,
  PRIVATE_KEY_MODE,
  ensurePrivateDirectory,
  readOptionalFile,
  readPrivateKeyFile,
  replaceFile,
  writeNewFile,
} from './pki-files';

/** The internal CA and the web listener's certificate, as PEM, ready for TLS contexts. */
export interface PkiMaterial {
  caCertPem: string;
  caKeyPem: string;
  webCertPem: string;
  webKeyPem: string;
  /** SHA-256 of the CA certificate's DER, lowercase hex, for agents to pin. */
  caFingerprint: string;
  /** Flags for the parts this call created or re-issued. */
  created: { ca: boolean; web: boolean };
}

/** A web certificate this close to notAfter is re-issued at startup. */
export const WEB_CERT_RENEW_BEFORE_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Loads the internal CA and the web listener certificate from `<configDir>/ca` and
 * `<configDir>/tls`, creating whatever is missing. The CA is created only when neither
 * its key nor its certificate exists, and an existing CA key is never overwritten. The
 * web certificate is re-issued with a new key, and `log` receives the reason, when it:
 * is missing or unreadable, does not match its key, was not issued by this CA, is not
 * yet valid, expires within 30 days, does not cover every name in `hostNames`, or (when
 * `revocationUrls` is given) does not advertise those revocation URLs.
 *
 * Keys are PKCS#8 PEM files created with mode 0600, certificates 0644, and both
 * directories 0700. Throws when only half of the CA exists, when the CA key and
 * certificate do not match, when the CA has expired, or when a key file is readable by
 * group or others.
 */
export async function ensurePki(options: {
  configDir: string;
  hostNames: string[];
  revocationUrls?: RevocationUrls;
  log?: (msg: string) => void;
}): Promise<PkiMaterial> {
  const log = options.log ?? (() => undefined);
  const paths = pkiPaths(options.configDir);
  const hostNames = parseHostNames(options.hostNames);

  for (const directory of [path.dirname(paths.caKey), path.dirname(paths.webKey)]) {
    if (await ensurePrivateDirectory(directory)) {
      log(`Changed mode of ${directory} to 0700 because group or others could access it`);
    }
  }

  let ca = await loadCa(paths.caKey, paths.caCert);
  const createdCa = ca === null;
  if (ca === null) {
    ca = await createCa();
    await writeNewFile(paths.caKey, ca.keyPem, PRIVATE_KEY_MODE);
    await writeNewFile(paths.caCert, ca.certPem, CERTIFICATE_MODE);
    log(`Created internal CA at ${paths.caCert} (SHA-256 ${certificateFingerprint(ca.certPem)})`);
  }

  const webKeyPem = await readPrivateKeyFile(paths.webKey);
  const webCertPem = await readOptionalFile(paths.webCert);
  const stored = webKeyPem !== null && webCertPem !== null ? { keyPem: webKeyPem, certPem: webCertPem } : null;

  const reason =
    stored === null
      ? 'the certificate or its key is missing'
      : webReissueReason(stored, ca.certPem, hostNames, new Date(), options.revocationUrls);

  let web: { keyPem: string; certPem: string };
  if (reason === null && stored !== null) {
    web = stored;
  } else {
    log(`Issuing web certificate because ${reason}`);
    web = await issueWebCertificate({
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      hostNames,
      revocationUrls: options.revocationUrls,
    });
    await replaceFile(paths.webKey, web.keyPem, PRIVATE_KEY_MODE);
    await replaceFile(paths.webCert, web.certPem, CERTIFICATE_MODE);
  }

  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    webCertPem: web.certPem,
    webKeyPem: web.keyPem,
    caFingerprint: certificateFingerprint(ca.certPem),
    created: { ca: createdCa, web: reason !== null },
  };
}

async function loadCa(keyPath: string, certPath: string): Promise<{ keyPem: string; certPem: string } | null> {
  const keyPem = await readPrivateKeyFile(keyPath);
  const certPem = await readOptionalFile(certPath);

  if (keyPem === null && certPem === null) {
    return null;
  }
  if (keyPem === null || certPem === null) {
    const present = keyPem === null ? certPath : keyPath;
    const missing = keyPem === null ? keyPath : certPath;
    throw new Error(
      `Internal CA is incomplete: ${present} exists but ${missing} is missing. Restore ${missing} from a backup, ` +
        `or move both files away to create a new CA (every enrolled agent must then enroll again)`,
    );
  }

  const certificate = new X509Certificate(certPem);
  if (!certificate.ca) {
    throw new Error(`${certPath} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  }
  if (!publicKeyMatches(certificate, keyPem)) {
    throw new Error(`Internal CA key ${keyPath} does not belong to the certificate ${certPath}`);
  }

  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= Date.now()) {
    // NOTE: CA rollover is not implemented; an expired CA needs a new CA and re-enrolment of every agent.
    throw new Error(`Internal CA certificate ${certPath} expired on ${notAfter.toISOString()}`);
  }

  return { keyPem, certPem };
}

/** Returns why the stored web certificate must be re-issued, or null when it is still good. */
function webReissueReason(
  web: { keyPem: string; certPem: string },
  caCertPem: string,
  hostNames: HostNameSet,
  now: Date,
  revocationUrls: RevocationUrls | undefined,
): string | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(web.certPem);
    if (!publicKeyMatches(certificate, web.keyPem)) {
      return 'the key file does not match the certificate';
    }
  } catch (error) {
    return `the certificate or key cannot be parsed (${(error as Error).message})`;
  }

  const caCertificate = new X509Certificate(caCertPem);
  if (!certificate.checkIssued(caCertificate) || !certificate.verify(caCertificate.publicKey)) {
    return 'it was not issued by the current internal CA';
  }

  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (notBefore.getTime() > now.getTime()) {
    return `it is not valid before ${notBefore.toISOString()}`;
  }
  if (notAfter.getTime() <= now.getTime()) {
    return `it expired on ${notAfter.toISOString()}`;
  }
  if (notAfter.getTime() - now.getTime() < WEB_CERT_RENEW_BEFORE_DAYS * DAY_MS) {
    return `it expires on ${notAfter.toISOString()}, within ${WEB_CERT_RENEW_BEFORE_DAYS} days`;
  }

  const missing = uncoveredHostNames(certificate, hostNames);
  if (missing.length > 0) {
    return `it does not cover ${missing.join(', ')}`;
  }
  if (revocationUrls && !hasRevocationUrls(web.certPem, revocationUrls)) {
    return `it does not name the CRL ${revocationUrls.crlUrl} and the OCSP responder ${revocationUrls.ocspUrl}`;
  }

  return null;
}

function publicKeyMatches(certificate: X509Certificate, privateKeyPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  const fromCertificate = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCertificate);
}
