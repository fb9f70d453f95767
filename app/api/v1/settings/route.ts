// GET /api/v1/settings – the IP allowlist, the trusted proxies and the allowed origins, stored and in force (Admin).
// PUT /api/v1/settings – replaces them, keeping the stored origins when allowedOrigins is absent.
// Rejected with 409 when the change would lock out the caller (Admin, audited).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { originDefaultsFromConfig } from '@/lib/net/allowed-origins';
import { CLIENT_CONNECTION_HEADER, decodeClientConnection } from '@/lib/net/client-address';
import { getNetworkSettings } from '@/lib/net/get-network-settings';
import { reloadLocalNetworkGuard } from '@/lib/net/network-guard';
import type { NetworkSettingsInput } from '@/lib/net/network-settings';
import { updateNetworkSettings } from '@/lib/net/update-network-settings';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  assertAdmin(ctx);
  return Response.json(await getNetworkSettings(ctx, originDefaultsFromConfig(getRuntime().config)), { headers: { 'cache-control': 'no-store' } });
});

export const PUT = apiRoute(async (request, ctx) => {
  assertAdmin(ctx);
  const body = (await readJsonRequest(request, 64 * 1024)) as NetworkSettingsInput;
  const connection = decodeClientConnection(request.headers.get(CLIENT_CONNECTION_HEADER));
  const saved = await updateNetworkSettings(ctx, body, connection, {
    requestOrigin: request.headers.get('origin'),
    defaults: originDefaultsFromConfig(getRuntime().config),
  });
  await reloadLocalNetworkGuard();
  return Response.json(saved, { headers: { 'cache-control': 'no-store' } });
});
