import { and, eq, lt, sql } from 'drizzle-orm';
import type { UserContext } from '@/lib/console-context';
import { wsTickets } from '@/lib/db/schema';
import { MAX_CLIENT_ADDRESS_LENGTH, truncate } from '@/lib/auth/session-tokens';
import { generateWsTicket, hashWsTicket, WS_TICKET_LIFETIME_SECONDS } from './ws-tickets';

/**
 * Issues a one-time ticket that opens the jobs WebSocket for the signed-in user
 * of `ctx`. The ticket is returned once; only its SHA-256 is stored, with the
 * user, the session and the client address. It expires after 30 seconds and is
 * spent by the first upgrade that presents it, so the browser requests a fresh
 * one before every connect. The user's expired tickets are deleted on the way.
 */
export async function issueWsTicket(ctx: UserContext): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = generateWsTicket();
  // The user's expired tickets can open nothing any more, so each issue removes them and the table stays small.
  await ctx.db.delete(wsTickets).where(and(eq(wsTickets.userId, ctx.actor.userId), lt(wsTickets.expiresAt, sql`now()`)));

  // The database clock sets and checks the expiry, so processes with skewed clocks agree.
  const [row] = await ctx.db
    .insert(wsTickets)
    .values({
      userId: ctx.actor.userId,
      sessionId: ctx.actor.sessionId,
      ticketHash: hashWsTicket(ticket),
      expiresAt: sql`now() + make_interval(secs => ${WS_TICKET_LIFETIME_SECONDS})`,
      clientAddress: truncate(ctx.actor.address, MAX_CLIENT_ADDRESS_LENGTH),
    })
    .returning({ expiresAt: wsTickets.expiresAt });
  return { ticket, expiresAt: row!.expiresAt };
}
