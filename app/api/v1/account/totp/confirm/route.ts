// POST /api/v1/account/totp/confirm – confirms the pending TOTP secret with a code.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { confirmAccountTotp } from '@/lib/account/manage-factors';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  await confirmAccountTotp(ctx, await readJsonRequest(request, 16 * 1024), getRuntime().mfaLimiter);
  return new Response(null, { status: 204 });
});
