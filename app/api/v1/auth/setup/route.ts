// POST /api/v1/auth/setup – creates the first Admin with the one-time setup token; 404 once a user exists.
import { publicApiRoute, readJsonRequest } from '@/lib/http/api';
import { completeSetup } from '@/lib/auth/setup/first-run-setup';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  const created = await completeSetup(ctx, await readJsonRequest(request, 16 * 1024));
  return Response.json({ userId: created.userId, username: created.username }, { status: 201, headers: { 'cache-control': 'no-store' } });
});
