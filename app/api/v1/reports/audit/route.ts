// GET /api/v1/reports/audit – lists audit rows, newest first, filtered by from, to, actor, action and target.
import { parseAuditFilter } from '@/lib/audit/audit-filter';
import { listAuditLog } from '@/lib/audit/list-audit-log';
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters, intParam } from '@/lib/http/query';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['from', 'to', 'actor', 'action', 'target', 'page', 'pageSize']);
  const filter = parseAuditFilter(query);
  const result = await listAuditLog(ctx, { filter, page: intParam(query, 'page', 1), pageSize: intParam(query, 'pageSize', 50) });
  return Response.json(result);
});
