// GET /pki/ca.pem – the internal CA certificate, which agents pin by fingerprint before trusting it.
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return new Response(getRuntime().caCertPem, {
    headers: { 'content-type': 'application/x-pem-file', 'cache-control': 'no-store' },
  });
}
