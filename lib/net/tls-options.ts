import type tls from 'node:tls';

import { derFingerprint } from '@/lib/pki/fingerprint';
import { canonicalSerial } from '@/lib/pki/serial';
import { HOST_URI_PREFIX } from '@/lib/pki/sign-agent-csr';

/** The only TLS version any listener accepts; there is deliberately no setting to lower it. */
export const TLS_MIN_VERSION = 'TLSv1.3';

/** Key exchange groups offered, in order of preference; no finite-field (ffdhe) group is enabled. */
export const TLS_ECDH_CURVES = 'X25519:P-256';

/**
 * Signature algorithms of the web listener: every TLS 1.3 scheme for ECDSA, EdDSA and
 * RSA-PSS except Ed448, so an uploaded RSA or ECDSA certificate works, and no SHA-1 or
 * PKCS#1 v1.5 scheme.
 */
export const WEB_TLS_SIGALGS = [
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
  'ed25519',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256',
  'rsa_pss_pss_sha384',
  'rsa_pss_pss_sha512',
].join(':');

/**
 * Signature algorithms of the agent listener: the internal CA issues ECDSA P-256 server
 * certificates and accepts agent keys of ECDSA P-256 or Ed25519 only.
 */
export const AGENT_TLS_SIGALGS = 'ecdsa_secp256r1_sha256:ed25519';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/**
 * Builds the TLS settings of the web listener (console, API and jobs WebSocket): TLS 1.3
 * only, so a TLS 1.2 client fails at the handshake with a protocol_version alert, and no
 * client certificate is requested.
 */
export function webTlsOptions(m: { certPem: string; keyPem: string }): tls.SecureContextOptions & tls.TlsOptions {
  return {
    cert: m.certPem,
    key: m.keyPem,
    minVersion: TLS_MIN_VERSION,
    maxVersion: TLS_MIN_VERSION,
    ecdhCurve: TLS_ECDH_CURVES,
    sigalgs: WEB_TLS_SIGALGS,
    requestCert: false,
  };
}

/**
 * How long the agent listener accepts a session ticket: one day, the longest that
 * testssl.sh does not flag. Agents make a new connection every 20 to 22 hours to keep
 * a session that can resume after a server restart.
 */
export const AGENT_SESSION_TIMEOUT_S = 24 * 60 * 60;

/**
 * Builds the TLS settings of the agent listener: TLS 1.3 only and mutual TLS, where the
 * client certificate must chain to the internal CA and nothing else (`ca` replaces the
 * system trust store). OpenSSL ends a handshake without a client certificate with a
 * certificate_required alert. A foreign, expired or not-yet-valid certificate, or one
 * whose extended key usage excludes clientAuth, fails OpenSSL's chain verification, and
 * Node.js then closes the socket before 'secureConnection' (without a TLS alert).
 * With `crlPem`, OpenSSL also checks every client certificate of a full handshake against
 * that CRL and rejects one that is listed, or any certificate once the CRL is past its
 * nextUpdate. Resumed sessions skip chain verification and the CRL, so the caller must
 * check resumed sessions against the revoked serials itself and check the serial
 * against the database per request. `ticketKeys` must be passed on every call: a
 * context built without them gets random keys, and saved sessions no longer resume.
 * Session tickets are accepted for up to one day (`AGENT_SESSION_TIMEOUT_S`).
 * Call `clientCertificateOk` on every accepted socket for the checks OpenSSL does not make.
 */
export function agentTlsOptions(m: {
  caCertPem: string;
  certPem: string;
  keyPem: string;
  crlPem?: string;
  ticketKeys: Buffer;
}): tls.TlsOptions {
  return {
    cert: m.certPem,
    key: m.keyPem,
    ca: [m.caCertPem],
    ...(m.crlPem === undefined ? {} : { crl: m.crlPem }),
    ticketKeys: m.ticketKeys,
    sessionTimeout: AGENT_SESSION_TIMEOUT_S,
    minVersion: TLS_MIN_VERSION,
    maxVersion: TLS_MIN_VERSION,
    ecdhCurve: TLS_ECDH_CURVES,
    sigalgs: AGENT_TLS_SIGALGS,
    requestCert: true,
    rejectUnauthorized: true,
  };
}

/** Result of `clientCertificateOk`. */
export type ClientCertificateCheck =
  | { ok: true; serial: string; fingerprint: string; hostId: string; certificateDer: Buffer }
  | { ok: false; reason: string };

/**
 * Checks the agent's client certificate on an established mTLS socket and extracts its
 * identity. The checks run in this order:
 * 1. the handshake authorised the certificate against the internal CA;
 * 2. its extended key usage lists clientAuth (OpenSSL also accepts a certificate without
 *    the extension);
 * 3. the current time is within its validity;
 * 4. the subject CN equals the host id in the single `urn:pm:host:` URI subjectAltName.
 *
 * Resumed sessions carry the peer certificate, so the result is the same for them.
 * Revocation is not checked here: look the returned serial up before trusting the agent.
 *
 * @returns the serial in canonical form (as `signAgentCsr` returns it), the SHA-256
 *   fingerprint of the DER, the host id and the DER itself; or a reason for the log.
 */
export function clientCertificateOk(socket: tls.TLSSocket): ClientCertificateCheck {
  if (!socket.authorized) {
    return { ok: false, reason: `client certificate not authorized: ${String(socket.authorizationError ?? 'unknown error')}` };
  }

  // Node.js returns an empty object, not null, when the peer sent no certificate.
  const peer = socket.getPeerCertificate(false);
  if (!peer?.raw) {
    return { ok: false, reason: 'no client certificate' };
  }

  if (!(peer.ext_key_usage ?? []).includes(CLIENT_AUTH_OID)) {
    return { ok: false, reason: 'client certificate lacks the clientAuth extended key usage' };
  }

  const now = Date.now();
  const notBefore = Date.parse(peer.valid_from);
  const notAfter = Date.parse(peer.valid_to);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) {
    return { ok: false, reason: 'client certificate has an unreadable validity period' };
  }
  if (now < notBefore || now > notAfter) {
    return { ok: false, reason: `client certificate is outside its validity (${peer.valid_from} to ${peer.valid_to})` };
  }

  const hostId = hostIdOf(peer);
  if (hostId === null) {
    return { ok: false, reason: `client certificate does not name one host in both CN and ${HOST_URI_PREFIX} URI` };
  }

  return {
    ok: true,
    serial: canonicalSerial(peer.serialNumber),
    fingerprint: derFingerprint(peer.raw),
    hostId,
    certificateDer: peer.raw,
  };
}

/** Returns the host id when the CN and the only host URI subjectAltName agree, else null. */
function hostIdOf(peer: tls.PeerCertificate): string | null {
  const commonName = peer.subject.CN;
  // A certificate with several CN attributes shows them as an array; treat that as ambiguous.
  if (typeof commonName !== 'string') {
    return null;
  }

  const hostUris = (peer.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith(`URI:${HOST_URI_PREFIX}`))
    .map((entry) => entry.slice(`URI:${HOST_URI_PREFIX}`.length));

  if (hostUris.length !== 1 || hostUris[0] !== commonName) {
    return null;
  }
  return commonName;
}
