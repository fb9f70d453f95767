import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { isSessionActive } from './is-session-active';
import type { KeyStore } from './key-store';
import { TokenError, toUnauthorizedError } from './token-error';
import { verifyAccessToken } from './verify-access-token';

/** The signed-in user an access token stands for. */
export type UserActor = Extract<Actor, { kind: 'user' }>;

export interface AuthenticateAccessTokenOptions {
  db: Database;
  keyStore: KeyStore;
  issuer: string;
  audience: string;
  token: string;
  /** The client address from the socket, stored with audit rows. */
  address: string;
  now?: Date;
}

/**
 * Turns an access token into the user actor of one request. The checks run in this
 * order: the token itself (`verifyAccessToken`: algorithm, key, signature, claims),
 * then its session is still active (so logout and revocation apply at once), then
 * the user exists and is not disabled. The role comes from the database, not from
 * the token, so a role change applies on the next request. Every failure raises
 * UnauthorizedError with a message that does not say which check failed.
 */
export async function authenticateAccessToken(options: AuthenticateAccessTokenOptions): Promise<UserActor> {
  let claims;
  try {
    claims = await verifyAccessToken(options.keyStore, options.token, {
      issuer: options.issuer,
      audience: options.audience,
      now: options.now,
    });
  } catch (error) {
    if (error instanceof TokenError) {
      throw toUnauthorizedError(error);
    }
    throw error;
  }

  if (!(await isSessionActive(options.db, claims.sessionId, options.now))) {
    throw new UnauthorizedError('the session has ended; sign in again');
  }

  const [user] = await options.db
    .select({ id: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, claims.userId));
  if (!user || user.disabledAt !== null || (user.role !== 'admin' && user.role !== 'operator')) {
    throw new UnauthorizedError('the session has ended; sign in again');
  }

  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    role: user.role,
    sessionId: claims.sessionId,
    address: options.address,
  };
}
