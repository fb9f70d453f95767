// GET /api/v1/account – the signed-in user, their role and second factors (no secrets).
import { apiRoute } from '@/lib/http/api';
import { getAccountFactors } from '@/lib/account/manage-factors';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  const factors = await getAccountFactors(ctx);
  return Response.json({ userId: ctx.actor.userId, username: ctx.actor.username, role: ctx.actor.role, ...factors });
});
