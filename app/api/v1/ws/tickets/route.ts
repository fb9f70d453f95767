// POST /api/v1/ws/tickets – a one-time ticket that opens the jobs WebSocket within 30 seconds.
import { apiRoute } from '@/lib/http/api';
import { issueWsTicket } from '@/lib/realtime/issue-ws-ticket';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (_request, ctx) => {
  const { ticket, expiresAt } = await issueWsTicket(ctx);
  return Response.json({ ticket, expiresAt: expiresAt.toISOString() }, { status: 201, headers: { 'cache-control': 'no-store' } });
});
