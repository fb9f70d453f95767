// POST /api/v1/account/password – changes the signed-in user's password and revokes their other sessions.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { changePassword } from '@/lib/account/change-password';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const result = await changePassword(ctx, await readJsonRequest(request, 16 * 1024), getRuntime().loginLimiter);
  return Response.json(result);
});
