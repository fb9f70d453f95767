// GET /api/v1/certificates – every host certificate with serial, fingerprint, validity and status (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { listCertificates } from '@/lib/certificates/list-certificates';
import { apiRoute } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  assertAdmin(ctx);
  return Response.json({ certificates: await listCertificates(ctx) });
});
