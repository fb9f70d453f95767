// POST /api/v1/account/totp/confirm – confirms the pending TOTP secret with a code and the current password.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { confirmAccountTotp } from '@/lib/account/manage-factors';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const { mfaLimiter, loginLimiter } = getRuntime();
  await confirmAccountTotp(ctx, await readJsonRequest(request, 16 * 1024), { mfa: mfaLimiter, login: loginLimiter });
  return new Response(null, { status: 204 });
});
