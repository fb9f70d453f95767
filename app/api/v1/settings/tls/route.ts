// GET /api/v1/settings/tls – the console certificate strategy; PUT – switches to the internal CA or an uploaded chain and key (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { readConsoleTlsSetting } from '@/lib/certificates/load-console-tls';
import { setConsoleTlsStrategy, type SetConsoleTlsStrategyInput } from '@/lib/certificates/set-console-tls-strategy';
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (_request, ctx) => {
  assertAdmin(ctx);
  return Response.json(await readConsoleTlsSetting(ctx.db));
});

export const PUT = apiRoute(async (request, ctx) => {
  assertAdmin(ctx);
  const body = (await readJsonRequest(request, 256 * 1024)) as SetConsoleTlsStrategyInput;
  const { config } = getRuntime();
  return Response.json(await setConsoleTlsStrategy(ctx, body, { configDir: config.configDir, publicUrl: config.publicUrl }));
});
