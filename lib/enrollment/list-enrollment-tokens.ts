import { assertAdmin } from '@/lib/auth/assert-admin';
import { desc } from 'drizzle-orm';
import { enrollmentTokens } from '@/lib/db/schema';
import type { Context } from '@/lib/context';

/** Lists enrollment tokens, newest first, without their hashes. */
export async function listEnrollmentTokens(ctx: Context, options: { limit?: number } = {}) {
  assertAdmin(ctx);
  return ctx.db
    .select({
      id: enrollmentTokens.id,
      description: enrollmentTokens.description,
      maxUses: enrollmentTokens.maxUses,
      uses: enrollmentTokens.uses,
      expiresAt: enrollmentTokens.expiresAt,
      createdAt: enrollmentTokens.createdAt,
      createdBy: enrollmentTokens.createdBy,
      revokedAt: enrollmentTokens.revokedAt,
      lastUsedAt: enrollmentTokens.lastUsedAt,
    })
    .from(enrollmentTokens)
    .orderBy(desc(enrollmentTokens.createdAt))
    .limit(options.limit ?? 200);
}
