import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { mfaTotp } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { throttleAttempt, type MfaLimiter } from './mfa-limiter';
import { clientAddressField, userIdField } from './shared';
import { matchTotpStep } from './totp-code';

export const verifyTotpInput = z
  .object({
    userId: userIdField,
    code: z.string().max(16, { error: 'code: expected a 6-digit code' }),
    now: z.date().optional(),
    clientAddress: clientAddressField,
  })
  .strict();

export type VerifyTotpInput = z.input<typeof verifyTotpInput>;

/**
 * Verifies a TOTP code against the user's confirmed secret as a second factor.
 *
 * Checks run in this order. The limiter comes first and raises TooManyAttemptsError
 * without checking the code. A confirmed secret must exist. The code must match step
 * t-1, t or t+1 around `now`, and that step must be later than the last used step.
 * A conditional UPDATE advances the last step, so of two parallel requests with one
 * code exactly one passes. After a later step was used, a code of an earlier step in
 * the window is rejected. Every failure is an UnauthorizedError and counts against
 * the limiter.
 */
export async function verifyTotp(ctx: Context, input: VerifyTotpInput, limiter?: MfaLimiter): Promise<true> {
  const request = parseInput(verifyTotpInput, input, 'TOTP verification');
  const now = request.now ?? new Date();

  return throttleAttempt(limiter, { userId: request.userId, clientAddress: request.clientAddress }, async () => {
    const [totp] = await ctx.db
      .select({ secret: mfaTotp.secret, lastStep: mfaTotp.lastStep })
      .from(mfaTotp)
      .where(and(eq(mfaTotp.userId, request.userId), isNotNull(mfaTotp.confirmedAt)));

    if (!totp) {
      throw new UnauthorizedError('TOTP is not set up for this user');
    }

    const step = await matchTotpStep(totp.secret, request.code, now);
    if (step === null) {
      throw new UnauthorizedError('TOTP code is invalid; enter the current code from the authenticator app', { field: 'code' });
    }

    const used = await ctx.db
      .update(mfaTotp)
      .set({ lastStep: step })
      .where(
        and(
          eq(mfaTotp.userId, request.userId),
          eq(mfaTotp.secret, totp.secret),
          isNotNull(mfaTotp.confirmedAt),
          or(isNull(mfaTotp.lastStep), lt(mfaTotp.lastStep, step)),
        ),
      )
      .returning({ userId: mfaTotp.userId });

    if (used.length === 0) {
      throw new UnauthorizedError('TOTP code was already used; wait for the next code', { field: 'code' });
    }

    return true as const;
  });
}
