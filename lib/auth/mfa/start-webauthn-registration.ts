import { eq } from 'drizzle-orm';
import { generateRegistrationOptions, type AuthenticatorTransportFuture, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { users, webauthnCredentials } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { userIdField } from './shared';
import { WEBAUTHN_CHALLENGE_TTL_MS, storeWebAuthnChallenge } from './webauthn-challenge';

export const rpIdField = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, { error: 'rpId: expected the console host name, such as patch.example.com' })
  .max(253, { error: 'rpId: at most 253 characters' })
  .regex(/^[a-z0-9.-]+$/, { error: 'rpId: expected a host name without scheme or port' });

export const startWebAuthnRegistrationInput = z
  .object({
    userId: userIdField,
    username: z.string().trim().min(1, { error: 'username: required' }).max(128, { error: 'username: at most 128 characters' }),
    rpId: rpIdField,
    rpName: z.string().trim().min(1, { error: 'rpName: required' }).max(64, { error: 'rpName: at most 64 characters' }),
  })
  .strict();

export type StartWebAuthnRegistrationInput = z.input<typeof startWebAuthnRegistrationInput>;

/**
 * Creates the options for `navigator.credentials.create()` and stores their challenge
 * for single use within 5 minutes. User verification is required, a discoverable
 * credential is preferred, and the user's registered credentials are excluded so an
 * authenticator cannot be registered twice. The WebAuthn user handle is the user's
 * id, which carries no personal data.
 */
export async function startWebAuthnRegistration(
  ctx: Context,
  input: StartWebAuthnRegistrationInput,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const request = parseInput(startWebAuthnRegistrationInput, input, 'WebAuthn registration request');

  const [user] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.id, request.userId));
  if (!user) {
    throw new NotFoundError('user not found', { field: 'userId' });
  }

  const existing = await ctx.db
    .select({ id: webauthnCredentials.id, transports: webauthnCredentials.transports })
    .from(webauthnCredentials)
    .where(eq(webauthnCredentials.userId, request.userId));

  const options = await generateRegistrationOptions({
    rpName: request.rpName,
    rpID: request.rpId,
    userName: request.username,
    userID: Buffer.from(request.userId.replaceAll('-', ''), 'hex'),
    timeout: WEBAUTHN_CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((credential) => ({
      id: credential.id,
      transports: credential.transports as AuthenticatorTransportFuture[],
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });

  await storeWebAuthnChallenge(ctx.db, { userId: request.userId, purpose: 'webauthn-register', challenge: options.challenge });

  return options;
}
