// PUT /api/v1/groups/{id}/hosts – replaces the group's member hosts with `hostIds`. Admin only.
import { setGroupHosts } from '@/lib/groups/set-group-hosts';
import { apiRoute } from '@/lib/http/api';
import { readJsonObject } from '@/lib/http/read-json-object';

export const dynamic = 'force-dynamic';

export const PUT = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonObject(request);
  return Response.json(await setGroupHosts(ctx, { ...body, groupId: params.id }));
});
