import { createHash, randomBytes } from 'node:crypto';

/** How long an issued ticket can open the jobs WebSocket. */
export const WS_TICKET_LIFETIME_SECONDS = 30;

const TICKET_BYTES = 32;
const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Generates a ticket of 256 random bits, base64url-encoded. */
export function generateWsTicket(): string {
  return randomBytes(TICKET_BYTES).toString('base64url');
}

/**
 * Returns the stored form of a ticket, its SHA-256 in hex. A plain hash suffices
 * because the ticket has 256 bits of entropy, so it cannot be recovered from its hash.
 */
export function hashWsTicket(ticket: string): string {
  return createHash('sha256').update(ticket, 'utf8').digest('hex');
}

/** Returns true when a presented value has the shape of an issued ticket. */
export function isWellFormedWsTicket(value: unknown): value is string {
  return typeof value === 'string' && TICKET_PATTERN.test(value);
}
