// POST /api/v1/certificates/reenroll – creates a one-use enrollment token and the command that installs a new certificate on a host (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { createReenrollToken } from '@/lib/certificates/create-reenroll-token';
import { apiRoute, readJsonRequest } from '@/lib/http/api';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  assertAdmin(ctx);
  const body = (await readJsonRequest(request)) as { hostId?: unknown };
  const runtime = getRuntime();
  const created = await createReenrollToken(ctx, { hostId: body?.hostId as string }, {
    enrollUrl: runtime.enrollUrl,
    caFingerprint: runtime.caFingerprint,
  });
  return Response.json(created, { status: 201 });
});
