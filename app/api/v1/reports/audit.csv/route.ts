// GET /api/v1/reports/audit.csv – streams the audit rows matching the filters as CSV, oldest first.
import { parseAuditFilter } from '@/lib/audit/audit-filter';
import { exportAuditCsv } from '@/lib/audit/export-audit-csv';
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters } from '@/lib/http/query';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['from', 'to', 'actor', 'action', 'target']);
  const filter = parseAuditFilter(query);
  const date = new Date().toISOString().slice(0, 10);
  return new Response(exportAuditCsv(ctx, filter), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${date}.csv"`,
      'cache-control': 'no-store',
    },
  });
});
