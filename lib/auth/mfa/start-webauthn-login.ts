import { eq } from 'drizzle-orm';
import { generateAuthenticationOptions, type AuthenticatorTransportFuture, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { webauthnCredentials } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { userIdField } from './shared';
import { rpIdField } from './start-webauthn-registration';
import { WEBAUTHN_CHALLENGE_TTL_MS, storeWebAuthnChallenge } from './webauthn-challenge';

export const startWebAuthnLoginInput = z.object({ userId: userIdField, rpId: rpIdField }).strict();

export type StartWebAuthnLoginInput = z.input<typeof startWebAuthnLoginInput>;

/**
 * Creates the options for `navigator.credentials.get()` limited to the user's own
 * credentials, with user verification required, and stores the challenge for single
 * use within 5 minutes. Raises NotFoundError when the user has no credential.
 */
export async function startWebAuthnLogin(ctx: Context, input: StartWebAuthnLoginInput): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const request = parseInput(startWebAuthnLoginInput, input, 'WebAuthn sign-in request');

  const credentials = await ctx.db
    .select({ id: webauthnCredentials.id, transports: webauthnCredentials.transports })
    .from(webauthnCredentials)
    .where(eq(webauthnCredentials.userId, request.userId));

  if (credentials.length === 0) {
    throw new NotFoundError('no WebAuthn credential is registered for this user');
  }

  const options = await generateAuthenticationOptions({
    rpID: request.rpId,
    allowCredentials: credentials.map((credential) => ({
      id: credential.id,
      transports: credential.transports as AuthenticatorTransportFuture[],
    })),
    userVerification: 'required',
    timeout: WEBAUTHN_CHALLENGE_TTL_MS,
  });

  await storeWebAuthnChallenge(ctx.db, { userId: request.userId, purpose: 'webauthn-login', challenge: options.challenge });

  return options;
}
