import { and, count, eq, isNotNull, isNull } from 'drizzle-orm';
import { mfaTotp, recoveryCodes, webauthnCredentials } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import type { Executor } from '../session-tokens';
import { userIdField } from './shared';

export interface UserMfaStatus {
  /** A confirmed TOTP secret exists. */
  totp: boolean;
  /** Number of registered WebAuthn credentials. */
  webauthn: number;
  /** Number of unused recovery codes. */
  recoveryCodesLeft: number;
  /** Whether the user has a second factor to sign in with, which is confirmed TOTP or a WebAuthn credential. Recovery codes alone do not count. */
  enrolled: boolean;
}

/** Summarises the user's second factors. An unknown user has none. Runs inside the caller's transaction when given one. */
export async function userMfaStatus(ctx: { db: Executor }, userId: string): Promise<UserMfaStatus> {
  const id = parseInput(userIdField, userId, 'user id');

  const [[totp], [webauthn], [recovery]] = await Promise.all([
    ctx.db
      .select({ confirmed: count() })
      .from(mfaTotp)
      .where(and(eq(mfaTotp.userId, id), isNotNull(mfaTotp.confirmedAt))),
    ctx.db.select({ credentials: count() }).from(webauthnCredentials).where(eq(webauthnCredentials.userId, id)),
    ctx.db
      .select({ unused: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, id), isNull(recoveryCodes.usedAt))),
  ]);

  const hasTotp = (totp?.confirmed ?? 0) > 0;
  const credentials = webauthn?.credentials ?? 0;

  return {
    totp: hasTotp,
    webauthn: credentials,
    recoveryCodesLeft: recovery?.unused ?? 0,
    enrolled: hasTotp || credentials > 0,
  };
}
