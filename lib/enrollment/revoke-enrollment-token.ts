import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { enrollmentTokens } from '@/lib/db/schema';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';

// Lower case, because the audit row stores the id as text and searches compare it exactly.
const revokeEnrollmentTokenInput = z
  .object({ tokenId: z.uuid({ error: 'tokenId: expected an enrollment token id (UUID)' }).transform((id) => id.toLowerCase()) })
  .strict();

/**
 * Revokes an enrollment token, so enrollment and the agent downloads reject it from
 * the commit on. Hosts already enrolled with it keep their certificates. The update
 * and the audit row `enrollment_token.revoke` commit together. The row names the
 * token by id and never contains the token or its hash.
 *
 * Raises NotFoundError for an unknown id and ConflictError for a token that is
 * already revoked or has expired, because neither can enroll a host any more. A
 * used-up token that has not expired can still be revoked. Admin only.
 */
export async function revokeEnrollmentToken(ctx: Context, input: { tokenId: string }): Promise<{ id: string; revokedAt: Date }> {
  assertAdmin(ctx);
  const { tokenId } = parseInput(revokeEnrollmentTokenInput, input, 'enrollment token revocation');

  return ctx.db.transaction(async (tx) => {
    // The row lock orders this against a concurrent enrollment that spends a use.
    const [current] = await tx
      .select({
        description: enrollmentTokens.description,
        uses: enrollmentTokens.uses,
        maxUses: enrollmentTokens.maxUses,
        expiresAt: enrollmentTokens.expiresAt,
        revokedAt: enrollmentTokens.revokedAt,
      })
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.id, tokenId))
      .for('update');
    if (!current) {
      throw new NotFoundError('enrollment token not found');
    }
    if (current.revokedAt !== null) {
      throw new ConflictError(`enrollment token was already revoked at ${current.revokedAt.toISOString()}`);
    }
    if (current.expiresAt <= new Date()) {
      throw new ConflictError(`enrollment token expired at ${current.expiresAt.toISOString()}, so it cannot enroll a host and needs no revocation`);
    }

    // statement_timestamp() is read after the row lock is granted, so enrollments that
    // committed while this transaction waited are dated before the revocation. now()
    // would return the transaction's start instead.
    const [updated] = await tx
      .update(enrollmentTokens)
      .set({ revokedAt: sql`statement_timestamp()` })
      .where(eq(enrollmentTokens.id, tokenId))
      .returning({ revokedAt: enrollmentTokens.revokedAt });

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'enrollment_token.revoke',
      target: { kind: 'enrollment_token', id: tokenId },
      details: { description: current.description, uses: current.uses, maxUses: current.maxUses },
    });

    return { id: tokenId, revokedAt: updated!.revokedAt! };
  });
}
