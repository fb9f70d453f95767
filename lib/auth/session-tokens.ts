import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { refreshTokens } from '@/lib/db/schema';

/** Reason a session (refresh token family) was revoked, stored in `refresh_tokens.revoked_reason`. */
export type SessionRevocationReason =
  | 'logout'
  | 'logout-everywhere'
  | 'password-change'
  | 'mfa-change'
  | 'user-disabled'
  | 'admin'
  | 'reuse-detected'
  | 'inactive';

/** Sliding inactivity limit of a refresh token in seconds (1 hour). */
export const REFRESH_INACTIVITY_SECONDS = 60 * 60;

/** Entropy of a refresh token in bytes (256 bits). */
const REFRESH_TOKEN_BYTES = 32;

/** A refresh token as issued: 32 random bytes in base64url without padding. */
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Maximum lengths of the client address and user agent stored with a token, in characters. */
export const MAX_CLIENT_ADDRESS_LENGTH = 64;
export const MAX_USER_AGENT_LENGTH = 512;

/** A transaction of `Database.transaction`. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns true for a UUID in its textual form, the type of session ids. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Either the database or a transaction on it. */
export type Executor = Database | Transaction;

/**
 * The context of session operations that may run inside the caller's transaction, so
 * the caller can write its audit row in the same transaction. A `Context` fits.
 */
export interface SessionContext {
  actor: Actor;
  db: Executor;
}

/** Creates a new refresh token value. It is returned to the client once and only its hash is stored. */
export function generateRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

/**
 * Returns the stored form of a refresh token: SHA-256, hex. A plain hash suffices
 * because the token has 256 bits of entropy, so it cannot be guessed from its hash.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Returns true when a presented value has the shape of an issued refresh token. */
export function isWellFormedRefreshToken(token: unknown): token is string {
  return typeof token === 'string' && REFRESH_TOKEN_PATTERN.test(token);
}

/**
 * Returns the user id of the refresh token with this value, whether it is current,
 * rotated or revoked, or null when the value is malformed or unknown.
 */
export async function findRefreshTokenOwner(executor: Executor, token: string): Promise<string | null> {
  if (!isWellFormedRefreshToken(token)) {
    return null;
  }
  const [row] = await executor
    .select({ userId: refreshTokens.userId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
  return row?.userId ?? null;
}

/** Marks every token of a family that is not yet revoked as revoked, and returns their number. */
export async function revokeFamily(
  executor: Executor,
  familyId: string,
  reason: SessionRevocationReason,
  now: Date,
): Promise<number> {
  const revoked = await executor
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return revoked.length;
}

/** Cuts a client-supplied string to the stored maximum. */
export function truncate(value: string, max: number): string {
  return [...value].slice(0, max).join('');
}
