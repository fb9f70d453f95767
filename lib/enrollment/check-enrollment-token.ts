import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { enrollmentTokens } from '@/lib/db/schema';
import { ENROLLMENT_TOKEN_PREFIX, hashEnrollmentToken } from './token';

/**
 * Returns whether `token` could enroll a host now: it exists, is not revoked or
 * expired, and has a use left. It consumes no use and writes nothing, so the
 * agent downloads can require a token without spending the enrollment itself.
 */
export async function isEnrollmentTokenUsable(db: Database, token: string): Promise<boolean> {
  if (!token.startsWith(ENROLLMENT_TOKEN_PREFIX) || token.length > 200) return false;

  const [row] = await db
    .select({ id: enrollmentTokens.id })
    .from(enrollmentTokens)
    .where(
      and(
        eq(enrollmentTokens.tokenHash, hashEnrollmentToken(token)),
        isNull(enrollmentTokens.revokedAt),
        gt(enrollmentTokens.expiresAt, new Date()),
        lt(enrollmentTokens.uses, enrollmentTokens.maxUses),
      ),
    )
    .limit(1);
  return row !== undefined;
}
