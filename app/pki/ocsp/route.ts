// POST /pki/ocsp – OCSP responder of the internal CA (RFC 6960), request as application/ocsp-request (public).
import { answerOcsp, MAX_OCSP_REQUEST_BYTES } from '@/lib/certificates/answer-ocsp';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  const runtime = getRuntime();
  const declared = Number(request.headers.get('content-length') ?? '0');
  const body = declared > MAX_OCSP_REQUEST_BYTES ? new Uint8Array(MAX_OCSP_REQUEST_BYTES + 1) : new Uint8Array(await request.arrayBuffer());

  return answerOcsp({
    db: runtime.database.db,
    caCertPem: runtime.caCertPem,
    requestDer: body,
    log: (error) => runtime.log.error({ err: error }, 'OCSP request failed'),
  });
}
