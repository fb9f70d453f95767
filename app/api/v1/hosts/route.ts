// GET /api/v1/hosts – one page of hosts with pending and security counts.
import { apiRoute } from '@/lib/http/api';
import { listHosts } from '@/lib/hosts/list-hosts';
import { checkQueryParameters, intParam } from '@/lib/http/query';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['search', 'status', 'sort', 'page', 'pageSize']);
  const result = await listHosts(ctx, {
    search: query.get('search') ?? undefined,
    status: (query.get('status') ?? undefined) as 'online' | 'offline' | 'pending' | undefined,
    sort: (query.get('sort') ?? undefined) as 'hostname' | undefined,
    page: intParam(query, 'page', 1),
    pageSize: intParam(query, 'pageSize', 50),
  });
  return Response.json(result);
});
