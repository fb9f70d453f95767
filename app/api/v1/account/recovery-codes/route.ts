// POST /api/v1/account/recovery-codes – replaces the recovery codes with ten new ones, returned once.
import { apiRoute } from '@/lib/http/api';
import { regenerateAccountRecoveryCodes } from '@/lib/account/manage-factors';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (_request, ctx) =>
  Response.json({ recoveryCodes: await regenerateAccountRecoveryCodes(ctx) }, { headers: { 'cache-control': 'no-store' } }),
);
