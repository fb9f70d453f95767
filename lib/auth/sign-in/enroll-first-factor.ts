import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { parseInput } from '@/lib/validation';
import { confirmTotpEnrollment } from '../mfa/confirm-totp-enrollment';
import { generateRecoveryCodes } from '../mfa/generate-recovery-codes';
import { throttleAttempt } from '../mfa/mfa-limiter';
import { startTotpEnrollment, type TotpEnrollment } from '../mfa/start-totp-enrollment';
import { completeLogin, type CompletedLogin } from './complete-login';
import { findLoginChallenge } from './login-challenge';
import type { SignInServices } from './services';

/** Name the authenticator app shows for console accounts. */
export const TOTP_ISSUER = 'Patch Manager';

const confirmInput = z.object({ code: z.string().trim().min(1, { error: 'code: required' }).max(16, { error: 'code: expected a 6-digit code' }) }).strict();

/**
 * Starts TOTP enrollment during a first sign-in: needs an open `enroll` challenge,
 * which only a correct password for a user without a factor opens. Returns the new
 * secret to show once; it must never be logged.
 */
export async function startFirstTotpEnrollment(ctx: Context, challengeToken: string | null): Promise<TotpEnrollment> {
  const challenge = await findLoginChallenge(ctx.db, challengeToken, 'enroll');
  return startTotpEnrollment(ctx, { userId: challenge.userId, issuer: TOTP_ISSUER, accountName: challenge.username });
}

/** A finished first sign-in: the session and the ten recovery codes, shown once. */
export interface EnrolledLogin extends CompletedLogin {
  recoveryCodes: string[];
}

/**
 * Confirms the pending TOTP secret with a code (counted by the second-factor
 * limiter), creates ten recovery codes, writes `auth.mfa_enroll` and starts the
 * session. The confirmed code counts as the verified second factor of this sign-in.
 */
export async function confirmFirstTotpEnrollment(
  ctx: Context,
  request: { challengeToken: string | null; body: unknown; clientAddress: string; userAgent: string },
  services: SignInServices,
): Promise<EnrolledLogin> {
  const challenge = await findLoginChallenge(ctx.db, request.challengeToken, 'enroll');
  const { code } = parseInput(confirmInput, request.body, 'code');

  await throttleAttempt(services.mfaLimiter, { userId: challenge.userId, clientAddress: request.clientAddress }, () =>
    confirmTotpEnrollment(ctx, { userId: challenge.userId, code }),
  );
  const recoveryCodes = await generateRecoveryCodes(ctx, { userId: challenge.userId });
  await ctx.db.transaction((tx) =>
    writeAudit(tx, {
      actor: ctx.actor,
      action: 'auth.mfa_enroll',
      target: { kind: 'user', id: challenge.userId },
      details: { method: 'totp', recoveryCodeCount: recoveryCodes.length },
    }),
  );

  const login = await completeLogin(ctx, challenge, { method: 'totp-enroll', clientAddress: request.clientAddress, userAgent: request.userAgent }, services);
  return { ...login, recoveryCodes };
}
