import { z } from 'zod';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { finishWebAuthnLogin } from '../mfa/finish-webauthn-login';
import { startWebAuthnLogin } from '../mfa/start-webauthn-login';
import { verifyRecoveryCode } from '../mfa/verify-recovery-code';
import { verifyTotp } from '../mfa/verify-totp';
import { completeLogin, type CompletedLogin } from './complete-login';
import { findLoginChallenge } from './login-challenge';
import type { SignInServices } from './services';

const codeInput = z.object({ code: z.string().trim().min(1, { error: 'code: required' }).max(64, { error: 'code: too long' }) }).strict();
const webAuthnInput = z.object({ response: z.record(z.string(), z.unknown()) }).strict();

/** The request of one second-factor attempt. */
export interface SecondFactorRequest {
  /** Token from the challenge cookie the password step set. */
  challengeToken: string | null;
  method: 'totp' | 'recovery' | 'webauthn';
  /** The JSON body: `{code}` for TOTP and recovery codes, `{response}` for WebAuthn. */
  body: unknown;
  clientAddress: string;
  userAgent: string;
}

/**
 * Verifies the second factor of a sign-in and, on success, starts the session
 * (`completeLogin`). The challenge must be an open `mfa` challenge. Each factor
 * check counts against the second-factor limiter first, and a used TOTP step, a
 * used recovery code or a consumed WebAuthn challenge is rejected. Success and
 * failure both write an `auth.mfa_verify` audit row.
 */
export async function verifySecondFactor(ctx: Context, request: SecondFactorRequest, services: SignInServices): Promise<CompletedLogin> {
  const challenge = await findLoginChallenge(ctx.db, request.challengeToken, 'mfa');
  const attempt = { userId: challenge.userId, clientAddress: request.clientAddress };

  try {
    if (request.method === 'webauthn') {
      const { response } = parseInput(webAuthnInput, request.body, 'WebAuthn response');
      await finishWebAuthnLogin(
        ctx,
        {
          userId: challenge.userId,
          response: response as unknown as AuthenticationResponseJSON,
          expectedOrigin: services.origin,
          rpId: services.rpId,
          clientAddress: request.clientAddress,
        },
        services.mfaLimiter,
      );
    } else {
      const { code } = parseInput(codeInput, request.body, 'code');
      if (request.method === 'totp') {
        await verifyTotp(ctx, { userId: challenge.userId, code, clientAddress: attempt.clientAddress }, services.mfaLimiter);
      } else {
        await verifyRecoveryCode(ctx, { userId: challenge.userId, code, clientAddress: attempt.clientAddress }, services.mfaLimiter);
      }
    }
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      await ctx.db.transaction((tx) =>
        writeAudit(tx, {
          actor: ctx.actor,
          action: 'auth.mfa_verify',
          target: { kind: 'user', id: challenge.userId },
          details: { method: request.method, outcome: 'failure' },
        }),
      );
    }
    throw error;
  }

  await ctx.db.transaction((tx) =>
    writeAudit(tx, {
      actor: ctx.actor,
      action: 'auth.mfa_verify',
      target: { kind: 'user', id: challenge.userId },
      details: { method: request.method, outcome: 'success' },
    }),
  );
  return completeLogin(ctx, challenge, { method: request.method, clientAddress: request.clientAddress, userAgent: request.userAgent }, services);
}

/**
 * Returns the WebAuthn request options for the second step of a sign-in, limited to
 * the user's credentials. Raises UnauthorizedError without an open `mfa` challenge.
 */
export async function startWebAuthnSignIn(
  ctx: Context,
  challengeToken: string | null,
  services: SignInServices,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await findLoginChallenge(ctx.db, challengeToken, 'mfa');
  return startWebAuthnLogin(ctx, { userId: challenge.userId, rpId: services.rpId });
}
