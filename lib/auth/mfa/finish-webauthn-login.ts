import { and, eq } from 'drizzle-orm';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON, type AuthenticatorTransportFuture } from '@simplewebauthn/server';
import { z } from 'zod';
import type { Context } from '@/lib/context';
import { webauthnCredentials } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { originField } from './finish-webauthn-registration';
import { throttleAttempt, type MfaLimiter } from './mfa-limiter';
import { clientAddressField, userIdField } from './shared';
import { rpIdField } from './start-webauthn-registration';
import { consumeWebAuthnChallenge, webAuthnResponseShape } from './webauthn-challenge';

export const finishWebAuthnLoginInput = z
  .object({
    userId: userIdField,
    response: webAuthnResponseShape.extend({
      response: webAuthnResponseShape.shape.response.extend({
        authenticatorData: z.string().max(16_384),
        signature: z.string().max(1_024),
      }),
    }),
    expectedOrigin: originField,
    rpId: rpIdField,
    clientAddress: clientAddressField,
  })
  .strict();

/** `response` is the browser's JSON as @simplewebauthn/browser returns it; its shape is validated here too. */
export type FinishWebAuthnLoginInput = Omit<z.input<typeof finishWebAuthnLoginInput>, 'response'> & {
  response: AuthenticationResponseJSON;
};

/**
 * Verifies a WebAuthn assertion as a second factor and returns the credential id.
 *
 * Checks run in this order. The limiter comes first. The quoted challenge must be
 * this user's open sign-in challenge, and it is consumed whatever follows. The
 * credential must belong to the user. Then @simplewebauthn/server checks the
 * assertion: type, challenge, origin, RP ID hash, user presence and verification,
 * signature, and a signature counter above the stored one unless both are zero, so a
 * cloned authenticator is rejected. The counter is advanced only from the value that
 * was checked. Every failure is an UnauthorizedError and counts against the limiter.
 */
export async function finishWebAuthnLogin(
  ctx: Context,
  input: FinishWebAuthnLoginInput,
  limiter?: MfaLimiter,
): Promise<{ credentialId: string }> {
  const request = parseInput(finishWebAuthnLoginInput, input, 'WebAuthn sign-in response');
  const response = request.response as unknown as AuthenticationResponseJSON;

  return throttleAttempt(limiter, { userId: request.userId, clientAddress: request.clientAddress }, async () => {
    const expectedChallenge = await consumeWebAuthnChallenge(ctx.db, {
      userId: request.userId,
      purpose: 'webauthn-login',
      clientDataJSON: response.response.clientDataJSON,
    });

    const [credential] = await ctx.db
      .select({
        id: webauthnCredentials.id,
        publicKey: webauthnCredentials.publicKey,
        counter: webauthnCredentials.counter,
        transports: webauthnCredentials.transports,
      })
      .from(webauthnCredentials)
      .where(and(eq(webauthnCredentials.id, response.id), eq(webauthnCredentials.userId, request.userId)));

    if (!credential) {
      throw new UnauthorizedError('WebAuthn credential is not registered for this user');
    }

    let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: request.expectedOrigin,
        expectedRPID: request.rpId,
        credential: {
          id: credential.id,
          publicKey: new Uint8Array(credential.publicKey),
          counter: credential.counter,
          transports: credential.transports as AuthenticatorTransportFuture[],
        },
        requireUserVerification: true,
      });
    } catch (error) {
      throw new UnauthorizedError('WebAuthn assertion could not be verified', { cause: error });
    }

    if (!verification.verified) {
      throw new UnauthorizedError('WebAuthn assertion could not be verified');
    }

    const advanced = await ctx.db
      .update(webauthnCredentials)
      .set({
        counter: verification.authenticationInfo.newCounter,
        backedUp: verification.authenticationInfo.credentialBackedUp,
        lastUsedAt: new Date(),
      })
      .where(
        and(
          eq(webauthnCredentials.id, credential.id),
          eq(webauthnCredentials.userId, request.userId),
          eq(webauthnCredentials.counter, credential.counter),
        ),
      )
      .returning({ id: webauthnCredentials.id });

    if (advanced.length === 0) {
      throw new UnauthorizedError('WebAuthn credential was used concurrently; try again');
    }

    return { credentialId: credential.id };
  });
}
