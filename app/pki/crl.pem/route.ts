// GET /pki/crl.pem – the internal CA's current certificate revocation list, PEM encoded (public).
import { crlResponse } from '@/lib/certificates/serve-crl';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return crlResponse(getRuntime().database.db, 'pem');
}
