import { writeAudit, type Transaction } from '@/lib/audit/write-audit';
import type { Database } from '@/lib/db/client';
import { getLogger } from '@/lib/log';

/** Reason a request failed the session binding check. */
export type BindingFailureReason = 'binding-missing' | 'binding-mismatch' | 'address-mismatch';

/** One failed binding check: ids and the reason only, never the secret, its hash or a token. */
export interface BindingFailure {
  reason: BindingFailureReason;
  /** The session (refresh token family) whose token was presented. */
  sessionId: string;
  userId: string;
  /** The resolved client address of the failed request. */
  clientAddress: string;
  /** The token the request presented for the session: an access token or a refresh token. */
  presented: 'access-token' | 'refresh-token';
}

/** The message clients get for every failed binding check; it does not say which part failed. */
export const BINDING_FAILED_MESSAGE =
  'the session is bound to another client: send the pm_bind cookie (browsers) or the X-PM-Binding header (API clients) issued at sign-in, from the address you signed in from, or sign in again';

/**
 * Logs a warning with the session id and writes an `auth.binding_failed` audit row.
 * Given `{ tx }`, the row joins that transaction; given `{ db }`, it gets its own,
 * because a failed check changes nothing else. The actor is the anonymous client address:
 * the request did not prove it acts for the session's user.
 */
export async function recordBindingFailure(failure: BindingFailure, target: { db: Database } | { tx: Transaction }): Promise<void> {
  getLogger().warn(
    { sessionId: failure.sessionId, userId: failure.userId, reason: failure.reason, presented: failure.presented, clientAddress: failure.clientAddress },
    'session binding check failed',
  );

  const write = (executor: Transaction) =>
    writeAudit(executor, {
      actor: { kind: 'console', address: failure.clientAddress },
      action: 'auth.binding_failed',
      target: { kind: 'user', id: failure.userId },
      details: { reason: failure.reason, sessionId: failure.sessionId, presented: failure.presented },
    });

  if ('tx' in target) {
    await write(target.tx);
    return;
  }
  await target.db.transaction(write);
}
