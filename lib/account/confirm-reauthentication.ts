import { eq, min } from 'drizzle-orm';
import { z } from 'zod';
import type { LoginLimiter } from '@/lib/auth/login-limiter';
import { PASSWORD_MAX_LENGTH } from '@/lib/auth/password-policy';
import { verifyPassword } from '@/lib/auth/verify-password';
import type { UserContext } from '@/lib/console-context';
import { refreshTokens, users } from '@/lib/db/schema';
import { ForbiddenError, ValidationError } from '@/lib/errors';

/**
 * Maximum age of the session's second-factor verification with which a user without a
 * local password may change second factors, in seconds (5 minutes).
 */
export const REAUTHENTICATION_WINDOW_SECONDS = 5 * 60;

/** The `currentPassword` member of a factor change request; optional in the schema, checked by `confirmReauthentication`. */
export const currentPasswordField = z.string().max(PASSWORD_MAX_LENGTH, { error: `currentPassword: longer than ${PASSWORD_MAX_LENGTH} characters` }).optional();

/**
 * Confirms that the signed-in user, not only someone holding the session, requests a
 * change of second factors. A user with a local password must send it as
 * `currentPassword`; the check is counted by the sign-in limiter like a password
 * sign-in. A user without one (signed in through SSO) must have passed the second
 * factor within `REAUTHENTICATION_WINDOW_SECONDS`, which is when the session started,
 * because a session starts only after its second factor. Raises ValidationError for a
 * missing password and ForbiddenError for a wrong one or a stale verification; both name
 * the field `currentPassword`. Changes nothing.
 */
export async function confirmReauthentication(
  ctx: UserContext,
  currentPassword: string | undefined,
  limiter?: LoginLimiter,
  now: Date = new Date(),
): Promise<void> {
  const { userId, username } = ctx.actor;
  const [user] = await ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));

  if (!user?.passwordHash) {
    await confirmRecentSecondFactor(ctx, now);
    return;
  }

  if (currentPassword === undefined || currentPassword === '') {
    throw new ValidationError('currentPassword: required; enter your current password to change second factors', {
      field: 'currentPassword',
    });
  }

  const attempt = { username, clientAddress: ctx.actor.address };
  await limiter?.beginLogin(attempt);
  const verification = await verifyPassword(user.passwordHash, currentPassword);
  if (!verification.valid) {
    throw new ForbiddenError('currentPassword: incorrect; enter the password you sign in with', { field: 'currentPassword' });
  }
  await limiter?.recordLoginSuccess(attempt);
}

async function confirmRecentSecondFactor(ctx: UserContext, now: Date): Promise<void> {
  const [session] = await ctx.db
    .select({ startedAt: min(refreshTokens.createdAt) })
    .from(refreshTokens)
    .where(eq(refreshTokens.familyId, ctx.actor.sessionId));

  const startedAt = session?.startedAt ?? null;
  if (startedAt === null || now.getTime() - startedAt.getTime() > REAUTHENTICATION_WINDOW_SECONDS * 1000) {
    throw new ForbiddenError(
      'currentPassword: this account has no password, so changing second factors needs a second-factor check from the last 5 minutes; sign out, sign in again and retry',
      { field: 'currentPassword' },
    );
  }
}
