// GET /api/v1/certificates – one page of host certificates with serial, fingerprint, validity and status (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { listCertificates, type ListCertificatesInput } from '@/lib/certificates/list-certificates';
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters, intParam } from '@/lib/http/query';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  assertAdmin(ctx);
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['search', 'status', 'hostId', 'page', 'pageSize']);
  const page = intParam(query, 'page', 1);
  const pageSize = intParam(query, 'pageSize', 100);
  const result = await listCertificates(ctx, {
    search: query.get('search') ?? undefined,
    status: (query.get('status') ?? undefined) as ListCertificatesInput['status'],
    hostId: query.get('hostId') ?? undefined,
    page,
    pageSize,
  });
  return Response.json({ certificates: result.items, total: result.total, page, pageSize });
});
