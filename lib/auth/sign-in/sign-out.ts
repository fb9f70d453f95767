import { eq } from 'drizzle-orm';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { refreshTokens } from '@/lib/db/schema';
import { revokeSession } from '../revoke-session';
import { hashRefreshToken, isUuid } from '../session-tokens';

/**
 * Ends a console session on logout: the session of the access token (`sessionId`)
 * and the session the refresh cookie belongs to, so a logout with an expired access
 * token still ends the session. Revocation and the `auth.logout` audit row share one
 * transaction. The row names the signed-out user as its target: the actor, or the
 * owner of the refresh token when no valid access token came with the request.
 * Returns how many sessions were revoked; nothing to revoke is not an error.
 */
export async function signOut(ctx: Context, request: { sessionId: string | null; refreshToken: string | null }): Promise<number> {
  const families = new Set<string>();
  let userId = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  if (request.sessionId && isUuid(request.sessionId)) {
    families.add(request.sessionId);
  }
  if (request.refreshToken) {
    const [row] = await ctx.db
      .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(request.refreshToken)));
    if (row) {
      families.add(row.familyId);
      userId ??= row.userId;
    }
  }
  if (families.size === 0) {
    return 0;
  }

  return ctx.db.transaction(async (tx) => {
    let revoked = 0;
    for (const familyId of families) {
      revoked += (await revokeSession({ actor: ctx.actor, db: tx }, { familyId, reason: 'logout' })).revoked;
    }
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'auth.logout',
      target: userId ? { kind: 'user', id: userId } : null,
      details: { sessionIds: [...families], revokedCount: revoked },
    });
    return revoked;
  });
}
