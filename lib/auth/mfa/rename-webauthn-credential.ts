import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { webauthnCredentials } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { credentialNameField } from './finish-webauthn-registration';
import { userIdField } from './shared';

export const renameWebAuthnCredentialInput = z
  .object({
    userId: userIdField,
    credentialId: z.string().min(1, { error: 'credentialId: required' }).max(1_024),
    name: credentialNameField,
  })
  .strict();

export type RenameWebAuthnCredentialInput = z.input<typeof renameWebAuthnCredentialInput>;

/** Renames one of the user's credentials; another user's credential is "not found" and stays unchanged. */
export async function renameWebAuthnCredential(ctx: Context, input: RenameWebAuthnCredentialInput): Promise<void> {
  const request = parseInput(renameWebAuthnCredentialInput, input, 'credential rename');

  const renamed = await ctx.db
    .update(webauthnCredentials)
    .set({ name: request.name })
    .where(and(eq(webauthnCredentials.id, request.credentialId), eq(webauthnCredentials.userId, request.userId)))
    .returning({ id: webauthnCredentials.id });

  if (renamed.length === 0) {
    throw new NotFoundError('WebAuthn credential not found', { field: 'credentialId' });
  }
}
