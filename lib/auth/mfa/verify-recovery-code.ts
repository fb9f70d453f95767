import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { recoveryCodes } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { throttleAttempt, type MfaLimiter } from './mfa-limiter';
import { normalizeRecoveryCode, recoveryCodeMatches } from './recovery-code';
import { clientAddressField, userIdField } from './shared';

export const verifyRecoveryCodeInput = z
  .object({
    userId: userIdField,
    code: z.string().max(64, { error: 'code: expected a recovery code such as abcd-efgh-jkmn' }),
    clientAddress: clientAddressField,
  })
  .strict();

export type VerifyRecoveryCodeInput = z.input<typeof verifyRecoveryCodeInput>;

/**
 * Verifies a recovery code as a second factor and marks it used. The code is
 * compared with every unused code of the user in constant time, then marked used
 * with a conditional UPDATE, so of two parallel requests with one code exactly one
 * passes. Every failure is an UnauthorizedError and counts against the limiter.
 */
export async function verifyRecoveryCode(ctx: Context, input: VerifyRecoveryCodeInput, limiter?: MfaLimiter): Promise<true> {
  const request = parseInput(verifyRecoveryCodeInput, input, 'recovery code verification');

  return throttleAttempt(limiter, { userId: request.userId, clientAddress: request.clientAddress }, async () => {
    const canonical = normalizeRecoveryCode(request.code);
    if (canonical === null) {
      throw new UnauthorizedError('recovery code is invalid', { field: 'code' });
    }

    const unused = await ctx.db
      .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, request.userId), isNull(recoveryCodes.usedAt)));

    // Every stored hash is checked, so the time taken does not reveal which code matched.
    let matchedId: string | undefined;
    for (const row of unused) {
      if (recoveryCodeMatches(canonical, row.codeHash)) {
        matchedId = row.id;
      }
    }

    if (!matchedId) {
      throw new UnauthorizedError('recovery code is invalid or already used', { field: 'code' });
    }

    const marked = await ctx.db
      .update(recoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(recoveryCodes.id, matchedId), eq(recoveryCodes.userId, request.userId), isNull(recoveryCodes.usedAt)))
      .returning({ id: recoveryCodes.id });

    if (marked.length === 0) {
      throw new UnauthorizedError('recovery code is invalid or already used', { field: 'code' });
    }

    return true as const;
  });
}
