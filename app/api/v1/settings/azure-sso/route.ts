// GET /api/v1/settings/azure-sso – the Entra ID sign-in settings without the client secret (Admin).
// PUT /api/v1/settings/azure-sso – replaces them; an absent clientSecret keeps the stored one, null removes it (Admin, audited).
import { getAzureSsoSettings } from '@/lib/auth/sso/get-azure-sso-settings';
import type { AzureSsoSettingsInput } from '@/lib/auth/sso/azure-sso-settings';
import { updateAzureSsoSettings } from '@/lib/auth/sso/update-azure-sso-settings';
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  const settings = await getAzureSsoSettings(ctx, { publicUrl: getRuntime().config.publicUrl });
  return Response.json(settings, { headers: { 'cache-control': 'no-store' } });
});

export const PUT = apiRoute(async (request, ctx) => {
  const body = (await readJsonRequest(request, 256 * 1024)) as AzureSsoSettingsInput;
  const settings = await updateAzureSsoSettings(ctx, body, { publicUrl: getRuntime().config.publicUrl });
  return Response.json(settings, { headers: { 'cache-control': 'no-store' } });
});
