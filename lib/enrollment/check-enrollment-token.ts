import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { enrollmentTokens, hosts } from '@/lib/db/schema';
import { ENROLLMENT_TOKEN_PREFIX, hashEnrollmentToken } from './token';

/**
 * Returns whether `token` could enroll a host now: it exists, is not revoked or
 * expired, has a use left, and, for a re-enrollment token, names a host that has
 * not been removed. It consumes no use and writes nothing, so the agent downloads can
 * require a token without spending the enrollment itself.
 */
export async function isEnrollmentTokenUsable(db: Database, token: string): Promise<boolean> {
  if (!token.startsWith(ENROLLMENT_TOKEN_PREFIX) || token.length > 200) return false;

  const [row] = await db
    .select({ id: enrollmentTokens.id })
    .from(enrollmentTokens)
    .leftJoin(hosts, eq(hosts.id, enrollmentTokens.hostId))
    .where(
      and(
        eq(enrollmentTokens.tokenHash, hashEnrollmentToken(token)),
        isNull(enrollmentTokens.revokedAt),
        gt(enrollmentTokens.expiresAt, new Date()),
        lt(enrollmentTokens.uses, enrollmentTokens.maxUses),
        // enrollHost rejects the token of a removed host, so the downloads do too.
        or(isNull(enrollmentTokens.hostId), isNull(hosts.removedAt)),
      ),
    )
    .limit(1);
  return row !== undefined;
}
