// GET /api/v1/reports/jobs.csv – one CSV row per job host for the jobs created in ?from&to (YYYY-MM-DD, UTC; default the last 30 days).
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters } from '@/lib/http/query';
import { csvHeaders } from '@/lib/reports/csv';
import { exportJobsCsv } from '@/lib/reports/export-jobs-csv';
import { parseReportPeriod } from '@/lib/reports/report-period';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['from', 'to']);
  const period = parseReportPeriod({ from: query.get('from'), to: query.get('to') });

  return new Response(exportJobsCsv(ctx, { period }), { headers: csvHeaders('jobs') });
});
