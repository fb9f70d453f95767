// POST /api/v1/settings/azure-sso/test – checks discovery, client credentials and the redirect URI of a configuration without saving it (Admin).
import { testAzureSsoSettings, type AzureSsoTestInput } from '@/lib/auth/sso/test-azure-sso-settings';
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  const body = (await readJsonRequest(request, 16 * 1024)) as AzureSsoTestInput;
  const result = await testAzureSsoSettings(ctx, body, { publicUrl: getRuntime().config.publicUrl });
  return Response.json(result, { headers: { 'cache-control': 'no-store' } });
});
