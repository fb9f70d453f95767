import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { mfaTotp } from '@/lib/db/schema';
import { ConflictError, NotFoundError, UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { userIdField } from './shared';
import { matchTotpStep } from './totp-code';

export const confirmTotpEnrollmentInput = z
  .object({
    userId: userIdField,
    code: z.string().max(16, { error: 'code: expected a 6-digit code' }),
    now: z.date().optional(),
  })
  .strict();

export type ConfirmTotpEnrollmentInput = z.input<typeof confirmTotpEnrollmentInput>;

/**
 * Confirms the user's pending TOTP secret with a code from the authenticator app
 * (steps t-1..t+1 around `now`). The code's step is stored as the last used step,
 * so the same code cannot sign in afterwards. Raises NotFoundError without a
 * pending secret, UnauthorizedError for a wrong code and ConflictError when
 * another request confirmed first.
 */
export async function confirmTotpEnrollment(ctx: Context, input: ConfirmTotpEnrollmentInput): Promise<void> {
  const request = parseInput(confirmTotpEnrollmentInput, input, 'TOTP confirmation');
  const now = request.now ?? new Date();

  const [pending] = await ctx.db
    .select({ secret: mfaTotp.secret, confirmedAt: mfaTotp.confirmedAt })
    .from(mfaTotp)
    .where(eq(mfaTotp.userId, request.userId));

  if (!pending) {
    throw new NotFoundError('no TOTP enrollment is pending for this user; start the enrollment first');
  }

  if (pending.confirmedAt) {
    throw new ConflictError('TOTP is already confirmed for this user');
  }

  const step = await matchTotpStep(pending.secret, request.code, now);
  if (step === null) {
    throw new UnauthorizedError('TOTP code is invalid; enter the current code from the authenticator app', { field: 'code' });
  }

  // The secret must still be the one the code was checked against and still unconfirmed.
  const confirmed = await ctx.db
    .update(mfaTotp)
    .set({ confirmedAt: new Date(), lastStep: step })
    .where(and(eq(mfaTotp.userId, request.userId), eq(mfaTotp.secret, pending.secret), isNull(mfaTotp.confirmedAt)))
    .returning({ userId: mfaTotp.userId });

  if (confirmed.length === 0) {
    throw new ConflictError('the TOTP enrollment changed while it was being confirmed; start the enrollment again');
  }
}
