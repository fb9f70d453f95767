// GET /pki/crl.der – the internal CA's current certificate revocation list, DER encoded (public); the CRL distribution point of issued certificates.
import { crlResponse } from '@/lib/certificates/serve-crl';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return crlResponse(getRuntime().database.db, 'der');
}
