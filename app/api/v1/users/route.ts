// GET /api/v1/users – lists console users; POST creates one with a role and an initial password. Admin only.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { createUser } from '@/lib/users/create-user';
import { listUsers } from '@/lib/users/list-users';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => Response.json({ items: await listUsers(ctx) }));

export const POST = apiRoute(async (request, ctx) => {
  const created = await createUser(ctx, await readJsonRequest(request, 16 * 1024));
  return Response.json(created, { status: 201 });
});
