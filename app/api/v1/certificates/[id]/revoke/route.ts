// POST /api/v1/certificates/{id}/revoke – revokes a host certificate with an RFC 5280 reason (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { revokeCertificate } from '@/lib/certificates/revoke-certificate';
import { apiRoute, readJsonRequest } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async (request, ctx, params) => {
  assertAdmin(ctx);
  const body = (await readJsonRequest(request)) as { reason?: unknown };
  const revoked = await revokeCertificate(ctx, { certificateId: params.id, reason: body?.reason as never });
  return Response.json(revoked);
});
