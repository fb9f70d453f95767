import { eq } from 'drizzle-orm';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { resetMfa } from '@/lib/auth/mfa/reset-mfa';
import { revokeUserSessions } from '@/lib/auth/revoke-user-sessions';
import type { Context } from '@/lib/context';
import { users } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { z } from 'zod';
import { userIdParam } from './user-fields';

/**
 * Deletes every second factor of a user, for a lost authenticator, and revokes all
 * of the user's sessions, so the next sign-in forces enrollment. Admin only. Writes
 * `user.mfa_reset`. An unknown user is NotFoundError.
 */
export async function resetUserMfa(ctx: Context, input: unknown): Promise<void> {
  assertAdmin(ctx);
  const { userId } = parseInput(z.object({ userId: userIdParam }).strict(), input, 'user');
  const [user] = await ctx.db.select({ id: users.id, username: users.username }).from(users).where(eq(users.id, userId));
  if (!user) {
    throw new NotFoundError('user not found');
  }

  // NOTE: resetMfa runs its own transaction, so the factors are gone even if the
  // audit row below fails; the sessions are revoked together with the audit row.
  const removed = await resetMfa(ctx, { userId });
  await ctx.db.transaction(async (tx) => {
    await revokeUserSessions({ actor: ctx.actor, db: tx }, { userId, reason: 'mfa-change' });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'user.mfa_reset',
      target: { kind: 'user', id: userId },
      details: { username: user.username, authenticatorAppRemoved: removed.totpRemoved, webauthnRemovedCount: removed.webauthnRemoved, recoveryCodesRemovedCount: removed.recoveryCodesRemoved },
    });
  });
}
