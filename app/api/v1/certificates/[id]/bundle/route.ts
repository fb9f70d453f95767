// GET /api/v1/certificates/{id}/bundle – host certificate and CA certificate as one PEM file for a manual install; no private key (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { certificateBundle } from '@/lib/certificates/certificate-bundle';
import { apiRoute } from '@/lib/http/api';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  assertAdmin(ctx);
  const bundle = await certificateBundle(ctx, { certificateId: params.id }, getRuntime().caCertPem);
  return new Response(bundle.pem, {
    headers: {
      'content-type': 'application/x-pem-file',
      'content-disposition': `attachment; filename="${bundle.fileName}"`,
      'cache-control': 'no-store',
    },
  });
});
