// POST /api/v1/account/recovery-codes – replaces the recovery codes with ten new ones, returned once; the body carries the current password.
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { regenerateAccountRecoveryCodes } from '@/lib/account/manage-factors';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const codes = await regenerateAccountRecoveryCodes(ctx, await readJsonRequest(request, 16 * 1024), getRuntime().loginLimiter);
  return Response.json({ recoveryCodes: codes }, { headers: { 'cache-control': 'no-store' } });
});
