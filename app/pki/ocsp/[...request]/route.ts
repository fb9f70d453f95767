// GET /pki/ocsp/{base64 request} – OCSP responder of the internal CA with the DER request base64 and URL encoded in the path (RFC 6960 appendix A.1).
import { answerOcsp } from '@/lib/certificates/answer-ocsp';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, route: { params: Promise<{ request: string[] }> }): Promise<Response> {
  const runtime = getRuntime();
  const { request } = await route.params;
  // Standard base64 may contain "/", which splits the path into several segments.
  let encoded: string;
  try {
    encoded = request.map((segment) => decodeURIComponent(segment)).join('/');
  } catch {
    // A broken percent-encoding gets the same response as any other malformed request.
    encoded = '';
  }

  return answerOcsp({
    db: runtime.database.db,
    caCertPem: runtime.caCertPem,
    requestDer: new Uint8Array(Buffer.from(encoded, 'base64')),
    log: (error) => runtime.log.error({ err: error }, 'OCSP request failed'),
  });
}
