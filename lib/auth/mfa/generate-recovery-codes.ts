import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { recoveryCodes } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { RECOVERY_CODE_COUNT, createRecoveryCode, hashRecoveryCode } from './recovery-code';
import { FOREIGN_KEY_VIOLATION, postgresErrorCode, userIdField } from './shared';

export const generateRecoveryCodesInput = z.object({ userId: userIdField }).strict();

export type GenerateRecoveryCodesInput = z.input<typeof generateRecoveryCodesInput>;

/**
 * Replaces the user's recovery codes with ten new ones, in one transaction, and
 * returns them. Only salted hashes are stored, so this is the one time the codes
 * can be shown; they must never be logged.
 */
export async function generateRecoveryCodes(ctx: Context, input: GenerateRecoveryCodesInput): Promise<string[]> {
  const request = parseInput(generateRecoveryCodesInput, input, 'recovery code request');

  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => createRecoveryCode());

  try {
    await ctx.db.transaction(async (tx) => {
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, request.userId));

      await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId: request.userId, codeHash: hashRecoveryCode(code) })));
    });
  } catch (error) {
    if (postgresErrorCode(error) === FOREIGN_KEY_VIOLATION) {
      throw new NotFoundError('user not found', { field: 'userId', cause: error });
    }
    throw error;
  }

  return codes;
}
