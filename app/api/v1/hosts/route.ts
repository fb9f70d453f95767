// GET /api/v1/hosts – one page of hosts with pending and security counts, filtered by search, status, group, OS, security updates and reboot state.
import { apiRoute } from '@/lib/http/api';
import { listHosts, type ListHostsInput } from '@/lib/hosts/list-hosts';
import { checkQueryParameters, intParam, listParam } from '@/lib/http/query';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (request, ctx) => {
  const query = new URL(request.url).searchParams;
  checkQueryParameters(query, ['search', 'status', 'group', 'os', 'security', 'reboot', 'sort', 'page', 'pageSize'], { repeatable: ['group'] });
  // The casts only satisfy the types, because listHosts validates every value and rejects an unknown one naming the parameter.
  const result = await listHosts(ctx, {
    search: query.get('search') ?? undefined,
    status: (query.get('status') ?? undefined) as ListHostsInput['status'],
    group: listParam(query, 'group'),
    os: query.get('os') ?? undefined,
    security: (query.get('security') ?? undefined) as ListHostsInput['security'],
    reboot: (query.get('reboot') ?? undefined) as ListHostsInput['reboot'],
    sort: (query.get('sort') ?? undefined) as ListHostsInput['sort'],
    page: intParam(query, 'page', 1),
    pageSize: intParam(query, 'pageSize', 50),
  });
  return Response.json(result);
});
