// DELETE /api/v1/account/totp – removes the authenticator app unless it is the last factor.
import { apiRoute } from '@/lib/http/api';
import { removeAccountTotp } from '@/lib/account/manage-factors';

export const dynamic = 'force-dynamic';

export const DELETE = apiRoute(async (_request, ctx) => {
  await removeAccountTotp(ctx);
  return new Response(null, { status: 204 });
});
