import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { webauthnCredentials } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import type { Executor } from '../session-tokens';
import { userIdField } from './shared';

export const deleteWebAuthnCredentialInput = z
  .object({
    userId: userIdField,
    credentialId: z.string().min(1, { error: 'credentialId: required' }).max(1_024),
  })
  .strict();

export type DeleteWebAuthnCredentialInput = z.input<typeof deleteWebAuthnCredentialInput>;

/**
 * Deletes one of the user's credentials. Another user's credential is "not found" and
 * stays. This may remove the user's last factor, so the caller decides whether that
 * is allowed, with `userMfaStatus` returning what is left. Runs inside the caller's
 * transaction when given one.
 */
export async function deleteWebAuthnCredential(ctx: { db: Executor }, input: DeleteWebAuthnCredentialInput): Promise<void> {
  const request = parseInput(deleteWebAuthnCredentialInput, input, 'credential deletion');

  const deleted = await ctx.db
    .delete(webauthnCredentials)
    .where(and(eq(webauthnCredentials.id, request.credentialId), eq(webauthnCredentials.userId, request.userId)))
    .returning({ id: webauthnCredentials.id });

  if (deleted.length === 0) {
    throw new NotFoundError('WebAuthn credential not found', { field: 'credentialId' });
  }
}
