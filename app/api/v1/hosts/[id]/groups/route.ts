// PUT /api/v1/hosts/{id}/groups – replaces the host's groups with `groupIds`. Admin only.
import { setHostGroups } from '@/lib/groups/set-host-groups';
import { apiRoute } from '@/lib/http/api';
import { readJsonObject } from '@/lib/http/read-json-object';

export const dynamic = 'force-dynamic';

export const PUT = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonObject(request, 64 * 1024);
  return Response.json(await setHostGroups(ctx, { ...body, hostId: params.id }));
});
