// DELETE /api/v1/account/totp – removes the authenticator app, with the current password in the JSON body, unless it is the last factor.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { removeAccountTotp } from '@/lib/account/manage-factors';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute(async (request, ctx) => {
  await removeAccountTotp(ctx, await readJsonRequest(request, 16 * 1024), getRuntime().loginLimiter);
  return new Response(null, { status: 204 });
});
