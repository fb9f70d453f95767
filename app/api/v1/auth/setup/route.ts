// POST /api/v1/auth/setup – creates the first Admin with the one-time setup token; 404 once a user exists.
import { publicApiRoute, readJsonRequest } from '@/lib/http/api';
import { completeSetup } from '@/lib/auth/setup/first-run-setup';
import { UnauthorizedError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  const address = ctx.actor.kind === 'console' ? ctx.actor.address : 'unknown';

  // Only a wrong setup token counts as a failure; a weak password or a finished setup does not.
  const created = await getRuntime().requestLimiters.setup.run(
    address,
    async () => completeSetup(ctx, await readJsonRequest(request, 16 * 1024)),
    { isFailure: (error) => error instanceof UnauthorizedError },
  );
  return Response.json({ userId: created.userId, username: created.username }, { status: 201, headers: { 'cache-control': 'no-store' } });
});
