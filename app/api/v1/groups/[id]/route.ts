// GET /api/v1/groups/{id} – a group with its member hosts and users.
// PATCH /api/v1/groups/{id} – renames a group or changes its description.
// DELETE /api/v1/groups/{id} – deletes a group; its hosts and users stay. Admin only.
import { deleteGroup } from '@/lib/groups/delete-group';
import { getGroup } from '@/lib/groups/get-group';
import { updateGroup } from '@/lib/groups/update-group';
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { readJsonObject } from '@/lib/http/read-json-object';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => Response.json(await getGroup(ctx, { groupId: params.id })));

export const PATCH = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await updateGroup(ctx, { ...(await readJsonObject(request, 16 * 1024)), groupId: params.id });
  return new Response(null, { status: 204 });
});

export const DELETE = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  await deleteGroup(ctx, { groupId: params.id });
  return new Response(null, { status: 204 });
});
