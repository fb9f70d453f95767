import type { Database } from '@/lib/db/client';
import { crlPem, latestCrl } from './publish-crl';

/**
 * Builds the response for the public CRL distribution point in DER or PEM. The
 * response may be cached until the CRL's nextUpdate, like any CRL. Answers 503 before
 * the first CRL is published, which the server does at start.
 */
export async function crlResponse(db: Database, format: 'der' | 'pem'): Promise<Response> {
  const crl = await latestCrl(db);
  if (!crl) {
    return new Response('no certificate revocation list has been published yet\n', { status: 503 });
  }

  const headers = {
    'content-type': format === 'der' ? 'application/pkix-crl' : 'application/x-pem-file',
    'last-modified': crl.thisUpdate.toUTCString(),
    expires: crl.nextUpdate.toUTCString(),
    'cache-control': 'public, max-age=300',
  };
  return new Response(format === 'der' ? new Uint8Array(crl.der) : crlPem(crl.der), { headers });
}
