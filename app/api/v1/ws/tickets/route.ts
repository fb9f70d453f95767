// POST /api/v1/ws/tickets – a one-time ticket that opens the jobs WebSocket within 30 seconds.
import { apiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { issueWsTicket } from '@/lib/realtime/issue-ws-ticket';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const { ticket, expiresAt } = await issueWsTicket(ctx);
  return Response.json({ ticket, expiresAt: expiresAt.toISOString() }, { status: 201, headers: { 'cache-control': 'no-store' } });
});
