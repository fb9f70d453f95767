import { and, eq, isNull, ne } from 'drizzle-orm';
import { refreshTokens } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import { getLogger } from '@/lib/log';
import { isUuid, type SessionContext, type SessionRevocationReason } from './session-tokens';

/**
 * Revokes every session of a user: logout everywhere, a password change, an MFA change
 * or disabling the user. `exceptFamilyId` keeps one session, such as the one that made
 * the change, when the caller decides the user stays signed in there. Returns how many
 * sessions (families) were revoked.
 */
export async function revokeUserSessions(
  ctx: SessionContext,
  options: { userId: string; reason: SessionRevocationReason; exceptFamilyId?: string; now?: Date },
): Promise<{ revokedSessions: number }> {
  if (!isUuid(options.userId)) {
    throw new ValidationError(`userId: "${options.userId}" is not a UUID`, { field: 'userId' });
  }

  const conditions = [eq(refreshTokens.userId, options.userId), isNull(refreshTokens.revokedAt)];
  if (options.exceptFamilyId) {
    conditions.push(ne(refreshTokens.familyId, options.exceptFamilyId));
  }

  const rows = await ctx.db
    .update(refreshTokens)
    .set({ revokedAt: options.now ?? new Date(), revokedReason: options.reason })
    .where(and(...conditions))
    .returning({ familyId: refreshTokens.familyId });

  const revokedSessions = new Set(rows.map((row) => row.familyId)).size;
  getLogger().info({ userId: options.userId, reason: options.reason, revokedSessions }, 'user sessions revoked');
  return { revokedSessions };
}
