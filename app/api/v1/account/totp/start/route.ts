// POST /api/v1/account/totp/start – creates a pending TOTP secret; the secret and QR code are returned once.
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { startAccountTotp } from '@/lib/account/manage-factors';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  return Response.json(await startAccountTotp(ctx), { headers: { 'cache-control': 'no-store' } });
});
