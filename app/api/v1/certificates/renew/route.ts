// POST /api/v1/certificates/renew – asks a host's agent to renew its certificate now over its channel (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { requestCertificateRenewal } from '@/lib/certificates/request-certificate-renewal';
import { apiRoute, readJsonRequest } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  assertAdmin(ctx);
  const body = (await readJsonRequest(request)) as { hostId?: unknown };
  return Response.json(await requestCertificateRenewal(ctx, { hostId: body?.hostId as string }), { status: 202 });
});
