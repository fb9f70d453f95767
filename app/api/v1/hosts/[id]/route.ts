// GET /api/v1/hosts/{id} – facts, pending updates, installed package count and reboot state of one host.
// DELETE /api/v1/hosts/{id} – removes the host and revokes its certificate (Admin).
import { assertAdmin } from '@/lib/auth/assert-admin';
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { getHost } from '@/lib/hosts/get-host';
import { removeHost } from '@/lib/hosts/remove-host';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  return Response.json(await getHost(ctx, { hostId: params.id }));
});

export const DELETE = apiRoute<{ id: string }>(async (request, ctx, params) => {
  await readEmptyBody(request);

  assertAdmin(ctx);
  return Response.json(await removeHost(ctx, { hostId: params.id }));
});
