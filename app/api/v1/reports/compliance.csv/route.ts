// GET /api/v1/reports/compliance.csv – current compliance per OS as CSV, or the stored daily snapshots of ?from&to (YYYY-MM-DD, UTC).
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters } from '@/lib/http/query';
import { csvHeaders } from '@/lib/reports/csv';
import { exportComplianceCsv } from '@/lib/reports/export-compliance-csv';
import { parseReportPeriod } from '@/lib/reports/report-period';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['from', 'to']);
  const history = query.has('from') || query.has('to');
  const period = history ? parseReportPeriod({ from: query.get('from'), to: query.get('to') }, { defaultDays: 90 }) : null;

  return new Response(exportComplianceCsv(ctx, { period }), { headers: csvHeaders(history ? 'compliance-history' : 'compliance') });
});
