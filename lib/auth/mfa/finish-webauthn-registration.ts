import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { webauthnCredentials } from '@/lib/db/schema';
import { ConflictError, UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { UNIQUE_VIOLATION, postgresErrorCode, userIdField } from './shared';
import { rpIdField } from './start-webauthn-registration';
import { consumeWebAuthnChallenge, webAuthnResponseShape } from './webauthn-challenge';

/** The console's origin; a URL is reduced to scheme, host and port, as browsers report it in clientDataJSON. */
export const originField = z
  .url({ protocol: /^https?$/, error: 'expectedOrigin: expected an origin such as https://patch.example.com' })
  .max(2048)
  .transform((url) => new URL(url).origin);

const KNOWN_TRANSPORTS = new Set<string>(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export const credentialNameField = z.string().trim().max(64, { error: 'name: at most 64 characters' });

export const finishWebAuthnRegistrationInput = z
  .object({
    userId: userIdField,
    response: webAuthnResponseShape.extend({
      response: webAuthnResponseShape.shape.response.extend({ attestationObject: z.string().max(16_384) }),
    }),
    expectedOrigin: originField,
    rpId: rpIdField,
    name: credentialNameField.default(''),
  })
  .strict();

/** `response` is the browser's JSON as @simplewebauthn/browser returns it; its shape is validated here too. */
export type FinishWebAuthnRegistrationInput = Omit<z.input<typeof finishWebAuthnRegistrationInput>, 'response'> & {
  response: RegistrationResponseJSON;
};

export interface RegisteredCredential {
  id: string;
  name: string;
  createdAt: Date;
}

/**
 * Verifies the browser's registration response and stores the new credential.
 *
 * The quoted challenge must be this user's open registration challenge, and it is
 * consumed whatever follows. Then @simplewebauthn/server checks the attestation:
 * type, challenge, origin, RP ID hash, user presence and user verification, and the
 * public key algorithm. Only attestation format `none` is requested, so the
 * authenticator's model is not checked. Raises UnauthorizedError when a check fails
 * and ConflictError when the credential id is already registered.
 */
export async function finishWebAuthnRegistration(ctx: Context, input: FinishWebAuthnRegistrationInput): Promise<RegisteredCredential> {
  const request = parseInput(finishWebAuthnRegistrationInput, input, 'WebAuthn registration response');
  const response = request.response as unknown as RegistrationResponseJSON;

  const expectedChallenge = await consumeWebAuthnChallenge(ctx.db, {
    userId: request.userId,
    purpose: 'webauthn-register',
    clientDataJSON: response.response.clientDataJSON,
  });

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: request.expectedOrigin,
      expectedRPID: request.rpId,
      requireUserPresence: true,
      requireUserVerification: true,
    });
  } catch (error) {
    throw new UnauthorizedError('WebAuthn registration could not be verified', { cause: error });
  }

  if (!verification.verified) {
    throw new UnauthorizedError('WebAuthn registration could not be verified');
  }

  const { credential, credentialBackedUp } = verification.registrationInfo;
  try {
    const [stored] = await ctx.db
      .insert(webauthnCredentials)
      .values({
        id: credential.id,
        userId: request.userId,
        name: request.name,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: (response.response.transports ?? []).filter((transport) => KNOWN_TRANSPORTS.has(transport)),
        backedUp: credentialBackedUp,
      })
      .returning({ id: webauthnCredentials.id, name: webauthnCredentials.name, createdAt: webauthnCredentials.createdAt });

    return stored!;
  } catch (error) {
    if (postgresErrorCode(error) === UNIQUE_VIOLATION) {
      throw new ConflictError('this authenticator is already registered', { cause: error });
    }
    throw error;
  }
}
