import { assertAdmin } from '@/lib/auth/assert-admin';
import { desc, eq } from 'drizzle-orm';
import { enrollmentTokens, hostGroups } from '@/lib/db/schema';
import type { Context } from '@/lib/context';

/** Lists enrollment tokens, newest first, without their hashes, with the name of the group each one enrolls hosts into. */
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
      groupId: enrollmentTokens.groupId,
      groupName: hostGroups.name,
    })
    .from(enrollmentTokens)
    .leftJoin(hostGroups, eq(hostGroups.id, enrollmentTokens.groupId))
    .orderBy(desc(enrollmentTokens.createdAt))
    .limit(options.limit ?? 200);
}
