import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { refreshTokens } from '@/lib/db/schema';
import { isUuid } from './session-tokens';

/**
 * Returns true when a session (refresh token family) still has a current token: not
 * rotated, not revoked, and within the family's absolute lifetime. Request handling
 * calls it with an access token's `sid`, so logout and revocation take effect before
 * the 15-minute access token expires. One indexed lookup by family.
 */
export async function isSessionActive(db: Database, familyId: string, now: Date = new Date()): Promise<boolean> {
  if (!isUuid(familyId)) {
    return false;
  }

  const [row] = await db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(
      and(
        eq(refreshTokens.familyId, familyId),
        isNull(refreshTokens.revokedAt),
        isNull(refreshTokens.rotatedAt),
        gt(refreshTokens.familyExpiresAt, now),
      ),
    )
    .limit(1);
  return row !== undefined;
}
