// GET /api/v1/hosts/{id} – facts, pending updates, installed package count and reboot state of one host.
import { apiRoute } from '@/lib/http/api';
import { getHost } from '@/lib/hosts/get-host';

export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async (_request, ctx, params) => {
  return Response.json(await getHost(ctx, { hostId: params.id }));
});
