// GET /api/v1/groups – lists host groups with host and user counts. POST creates a group. Admin only.
import { createGroup } from '@/lib/groups/create-group';
import { listGroups } from '@/lib/groups/list-groups';
import { apiRoute } from '@/lib/http/api';
import { readJsonObject } from '@/lib/http/read-json-object';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => Response.json({ items: await listGroups(ctx) }));

export const POST = apiRoute(async (request, ctx) => {
  const group = await createGroup(ctx, await readJsonObject(request, 16 * 1024));
  return Response.json(group, { status: 201, headers: { location: `/api/v1/groups/${group.id}` } });
});
