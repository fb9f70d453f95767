import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { UserActor } from '@/lib/auth/authenticate-access-token';
import { isSessionActive } from '@/lib/auth/is-session-active';
import type { Database } from '@/lib/db/client';
import { users, wsTickets } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { hashWsTicket, isWellFormedWsTicket } from './ws-tickets';

/**
 * Spends a jobs WebSocket ticket and returns the user actor it was issued to. One
 * conditional UPDATE marks the ticket used only while it is unused and not
 * expired, so two upgrades racing with the same ticket cannot both win. The user
 * and role are then read fresh: a ticket of a disabled user, or of a session that
 * has ended, opens nothing. Every failure raises UnauthorizedError with one
 * message that does not say which check failed.
 */
export async function consumeWsTicket(db: Database, ticket: unknown, address: string): Promise<UserActor> {
  const rejection = new UnauthorizedError('a valid, unused WebSocket ticket is required; request one from POST /api/v1/ws/tickets');
  if (!isWellFormedWsTicket(ticket)) {
    throw rejection;
  }

  const [spent] = await db
    .update(wsTickets)
    .set({ usedAt: sql`now()` })
    .where(and(eq(wsTickets.ticketHash, hashWsTicket(ticket)), isNull(wsTickets.usedAt), gt(wsTickets.expiresAt, sql`now()`)))
    .returning({ userId: wsTickets.userId, sessionId: wsTickets.sessionId });
  if (!spent) {
    throw rejection;
  }

  const [user] = await db
    .select({ id: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, spent.userId));
  if (!user || user.disabledAt !== null || (user.role !== 'admin' && user.role !== 'operator')) {
    throw rejection;
  }
  if (!(await isSessionActive(db, spent.sessionId))) {
    throw rejection;
  }

  return { kind: 'user', userId: user.id, username: user.username, role: user.role, sessionId: spent.sessionId, address };
}
