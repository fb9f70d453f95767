import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { authChallenges, mfaTotp, recoveryCodes, webauthnCredentials } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { userIdField } from './shared';

export const resetMfaInput = z.object({ userId: userIdField }).strict();

export type ResetMfaInput = z.input<typeof resetMfaInput>;

export interface ResetMfaResult {
  totpRemoved: boolean;
  webauthnRemoved: number;
  recoveryCodesRemoved: number;
}

/**
 * Deletes every second factor of the user in one transaction: the TOTP secret
 * (confirmed or pending), WebAuthn credentials, recovery codes and open WebAuthn
 * challenges. The user must enroll again at the next sign-in.
 *
 * This is an administrator operation, so the caller checks the actor's role. It does
 * not revoke sessions, so the caller revokes them in the same request.
 */
export async function resetMfa(ctx: Context, input: ResetMfaInput): Promise<ResetMfaResult> {
  const request = parseInput(resetMfaInput, input, 'MFA reset');

  // NOTE: no audit row is written here or by the other MFA operations because the
  // audit_log table does not exist yet. The audit insert belongs in this transaction.
  return ctx.db.transaction(async (tx) => {
    const totp = await tx.delete(mfaTotp).where(eq(mfaTotp.userId, request.userId)).returning({ userId: mfaTotp.userId });

    const credentials = await tx
      .delete(webauthnCredentials)
      .where(eq(webauthnCredentials.userId, request.userId))
      .returning({ id: webauthnCredentials.id });

    const codes = await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, request.userId)).returning({ id: recoveryCodes.id });

    await tx
      .delete(authChallenges)
      .where(and(eq(authChallenges.userId, request.userId), inArray(authChallenges.purpose, ['webauthn-register', 'webauthn-login'])));

    return { totpRemoved: totp.length > 0, webauthnRemoved: credentials.length, recoveryCodesRemoved: codes.length };
  });
}
