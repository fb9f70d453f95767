// GET /api/v1/reports/dashboard – the dashboard figures: host states, security updates by age, jobs today, job outcomes, hosts most behind.
import { apiRoute } from '@/lib/http/api';
import { checkQueryParameters, intParam } from '@/lib/http/query';
import { getDashboard } from '@/lib/reports/get-dashboard';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['days', 'limit']);
  const dashboard = await getDashboard(ctx, { days: intParam(query, 'days', 30), behindLimit: intParam(query, 'limit', 10) });
  return Response.json(dashboard, { headers: { 'cache-control': 'no-store' } });
});
