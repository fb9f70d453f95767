import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { hashPassword } from '@/lib/auth/hash-password';
import type { LoginLimiter } from '@/lib/auth/login-limiter';
import { checkPasswordPolicy, PASSWORD_MAX_LENGTH } from '@/lib/auth/password-policy';
import { revokeUserSessions } from '@/lib/auth/revoke-user-sessions';
import { verifyPassword } from '@/lib/auth/verify-password';
import type { UserContext } from '@/lib/console-context';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { newPasswordField } from '@/lib/users/user-fields';
import { parseInput } from '@/lib/validation';

export const changePasswordInput = z
  .object({
    currentPassword: z.string().min(1, { error: 'currentPassword: required' }).max(PASSWORD_MAX_LENGTH),
    newPassword: newPasswordField,
  })
  .strict();

/**
 * Changes the signed-in user's own password. The current password is checked first,
 * counted by the sign-in limiter like a password sign-in (not by the second-factor
 * limiter, so failures here cannot block the user's next second-factor step), then
 * the new one must pass the policy. The new hash, the revocation of every other session of the user and the
 * `user.password_change` audit row share one transaction; the session that made
 * the change stays signed in.
 */
export async function changePassword(ctx: UserContext, input: unknown, limiter?: LoginLimiter): Promise<{ revokedSessions: number }> {
  const request = parseInput(changePasswordInput, input, 'password change');
  const { userId, username, sessionId } = ctx.actor;

  const attempt = { username, clientAddress: ctx.actor.address };
  await limiter?.beginLogin(attempt);
  const [user] = await ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  const verification = user?.passwordHash ? await verifyPassword(user.passwordHash, request.currentPassword) : { valid: false };
  if (!verification.valid) {
    throw new UnauthorizedError('current password is incorrect', { field: 'currentPassword' });
  }
  await limiter?.recordLoginSuccess(attempt);
  checkPasswordPolicy(request.newPassword, { username });
  const passwordHash = await hashPassword(request.newPassword);

  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    await tx.update(users).set({ passwordHash, passwordChangedAt: now, updatedAt: now }).where(eq(users.id, userId));
    const { revokedSessions } = await revokeUserSessions({ actor: ctx.actor, db: tx }, { userId, reason: 'password-change', exceptFamilyId: sessionId });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'user.password_change',
      target: { kind: 'user', id: userId },
      details: { revokedSessionCount: revokedSessions },
    });
    return { revokedSessions };
  });
}
