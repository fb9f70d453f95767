// GET /api/v1/settings – the IP allowlist and the trusted proxies (Admin).
// PUT /api/v1/settings – replaces both; refused when it would lock out the caller (Admin, audited).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { CLIENT_CONNECTION_HEADER, decodeClientConnection } from '@/lib/net/client-address';
import { getNetworkSettings } from '@/lib/net/get-network-settings';
import { reloadLocalNetworkGuard } from '@/lib/net/network-guard';
import type { NetworkSettingsInput } from '@/lib/net/network-settings';
import { updateNetworkSettings } from '@/lib/net/update-network-settings';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  assertAdmin(ctx);
  return Response.json(await getNetworkSettings(ctx), { headers: { 'cache-control': 'no-store' } });
});

export const PUT = apiRoute(async (request, ctx) => {
  assertAdmin(ctx);
  const body = (await readJsonRequest(request, 64 * 1024)) as NetworkSettingsInput;
  const connection = decodeClientConnection(request.headers.get(CLIENT_CONNECTION_HEADER));
  const saved = await updateNetworkSettings(ctx, body, connection);
  await reloadLocalNetworkGuard();
  return Response.json(saved, { headers: { 'cache-control': 'no-store' } });
});
