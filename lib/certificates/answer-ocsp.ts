import type { Database } from '@/lib/db/client';
import { MAX_OCSP_REQUESTS, OCSP_RESPONSE_VALIDITY_MS, respondOcsp, unsignedResponse } from '@/lib/pki/ocsp/respond-ocsp';
import { OcspResponseStatus } from '@/lib/pki/ocsp/ocsp-asn1';
import { certificateStatuses } from './certificate-status';
import { getPkiRuntime } from './pki-runtime';

/** Largest OCSP request accepted, in bytes; 20 CertIDs with a nonce fit easily. */
export const MAX_OCSP_REQUEST_BYTES = 300 * MAX_OCSP_REQUESTS;

/**
 * Answers an OCSP request (DER) from the certificates table with a response signed by
 * the delegated responder. An oversized request gets `malformedRequest`; a database
 * failure gets `internalError`, and `log` receives the error.
 */
export async function answerOcsp(options: {
  db: Database;
  caCertPem: string;
  requestDer: Uint8Array;
  log: (error: unknown) => void;
}): Promise<Response> {
  if (options.requestDer.byteLength > MAX_OCSP_REQUEST_BYTES) {
    return ocspResponse(unsignedResponse(OcspResponseStatus.malformedRequest));
  }

  const pki = getPkiRuntime();
  try {
    const der = await respondOcsp({
      requestDer: options.requestDer,
      caCertPem: options.caCertPem,
      responderCertPem: pki.responder.certPem,
      responderKeyPem: pki.responder.keyPem,
      lookup: (serials) => certificateStatuses(options.db, serials, pki.ownSerials),
    });
    return ocspResponse(der);
  } catch (error) {
    options.log(error);
    return ocspResponse(unsignedResponse(OcspResponseStatus.internalError));
  }
}

function ocspResponse(der: Buffer): Response {
  return new Response(new Uint8Array(der), {
    headers: {
      'content-type': 'application/ocsp-response',
      'cache-control': `max-age=${Math.floor(OCSP_RESPONSE_VALIDITY_MS / 2000)}, public, no-transform, must-revalidate`,
    },
  });
}
