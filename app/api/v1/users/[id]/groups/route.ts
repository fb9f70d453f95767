// PUT /api/v1/users/{id}/groups – replaces the groups a user is assigned to with `groupIds`. Admin only.
import { setUserGroups } from '@/lib/groups/set-user-groups';
import { apiRoute } from '@/lib/http/api';
import { readJsonObject } from '@/lib/http/read-json-object';

export const dynamic = 'force-dynamic';

export const PUT = apiRoute<{ id: string }>(async (request, ctx, params) => {
  const body = await readJsonObject(request, 64 * 1024);
  return Response.json(await setUserGroups(ctx, { ...body, userId: params.id }));
});
