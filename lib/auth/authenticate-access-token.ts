import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { isSessionActive } from './is-session-active';
import type { KeyStore } from './key-store';
import { BINDING_FAILED_MESSAGE, recordBindingFailure, type BindingFailureReason } from './record-binding-failure';
import { bindingMatches } from './session-binding';
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
  /** The binding secret the request presents (`pm_bind` cookie or `X-PM-Binding` header), or null. */
  bindingSecret: string | null;
  /** When true, `address` must equal the address the token was issued to (`auth.bind_sessions_to_address`). */
  bindToAddress: boolean;
  now?: Date;
}

/**
 * Turns an access token into the user actor of one request. The checks run in this
 * order: the token itself (`verifyAccessToken`: algorithm, key, signature, claims),
 * then the client binding (the presented binding secret hashes to `cnf.bkt`, and with
 * `bindToAddress` the request address equals `cnf.addr`), then its session is still
 * active (so logout and revocation apply at once), then the user exists and is not
 * disabled. The role comes from the database, not from the token, so a role change
 * applies on the next request. A failed binding check is logged and audited as
 * `auth.binding_failed` (see `recordBindingFailure`). It runs after the signature
 * check, so only a token this server signed can write that row. Every failure raises
 * UnauthorizedError; the binding failure has its own message, the others share one.
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

  const bindingFailure = checkBinding(options, claims.confirmation);
  if (bindingFailure !== null) {
    const failure = { reason: bindingFailure, sessionId: claims.sessionId, userId: claims.userId, clientAddress: options.address };
    await recordBindingFailure({ ...failure, presented: 'access-token' }, { db: options.db });
    throw new UnauthorizedError(BINDING_FAILED_MESSAGE);
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

function checkBinding(
  options: AuthenticateAccessTokenOptions,
  confirmation: { bindingHash: string; clientAddress: string },
): BindingFailureReason | null {
  if (options.bindingSecret === null) {
    return 'binding-missing';
  }
  if (!bindingMatches(options.bindingSecret, confirmation.bindingHash)) {
    return 'binding-mismatch';
  }
  if (options.bindToAddress && options.address !== confirmation.clientAddress) {
    return 'address-mismatch';
  }
  return null;
}
