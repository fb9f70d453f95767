// POST /api/v1/account/totp/start – creates a pending TOTP secret; the secret and QR code are returned once.
import { apiRoute } from '@/lib/http/api';
import { startAccountTotp } from '@/lib/account/manage-factors';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (_request, ctx) => Response.json(await startAccountTotp(ctx), { headers: { 'cache-control': 'no-store' } }));
