import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { writeAudit, type Transaction } from '@/lib/audit/write-audit';
import { confirmTotpEnrollment } from '@/lib/auth/mfa/confirm-totp-enrollment';
import { deleteWebAuthnCredential } from '@/lib/auth/mfa/delete-webauthn-credential';
import { finishWebAuthnRegistration } from '@/lib/auth/mfa/finish-webauthn-registration';
import { generateRecoveryCodes } from '@/lib/auth/mfa/generate-recovery-codes';
import { listWebAuthnCredentials, type WebAuthnCredentialSummary } from '@/lib/auth/mfa/list-webauthn-credentials';
import { throttleAttempt, type MfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import { renameWebAuthnCredential } from '@/lib/auth/mfa/rename-webauthn-credential';
import { startTotpEnrollment, type TotpEnrollment } from '@/lib/auth/mfa/start-totp-enrollment';
import { startWebAuthnRegistration } from '@/lib/auth/mfa/start-webauthn-registration';
import { userMfaStatus, type UserMfaStatus } from '@/lib/auth/mfa/user-mfa-status';
import type { LoginLimiter } from '@/lib/auth/login-limiter';
import { revokeUserSessions } from '@/lib/auth/revoke-user-sessions';
import { TOTP_ISSUER } from '@/lib/auth/sign-in/enroll-first-factor';
import type { UserContext } from '@/lib/console-context';
import { mfaTotp, users } from '@/lib/db/schema';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { confirmReauthentication, currentPasswordField } from './confirm-reauthentication';

/*
 * The signed-in user's own second factors. Every change that adds or removes a
 * factor or replaces the recovery codes first requires the current password (see
 * `confirmReauthentication`), so a stolen session alone cannot swap the factors. The
 * change then revokes the user's other sessions and writes an audit row in one transaction.
 * The session that made the change stays. Starting an enrollment (TOTP secret,
 * WebAuthn options) and renaming a key change no factor and need no password.
 */

/** Limiters of factor changes: the second-factor limiter counts TOTP codes, the sign-in limiter counts passwords. */
export interface FactorChangeLimiters {
  mfa?: MfaLimiter;
  login?: LoginLimiter;
}

const reauthenticationInput = z.object({ currentPassword: currentPasswordField }).strict();

/** The account page's view of the user's factors, without secrets. */
export interface AccountFactors {
  status: UserMfaStatus;
  credentials: WebAuthnCredentialSummary[];
  /** Whether the user has a local password, which factor changes then require. */
  hasPassword: boolean;
}

/** Returns the signed-in user's factors. */
export async function getAccountFactors(ctx: UserContext): Promise<AccountFactors> {
  const [status, credentials, [user]] = await Promise.all([
    userMfaStatus(ctx, ctx.actor.userId),
    listWebAuthnCredentials(ctx, ctx.actor.userId),
    ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, ctx.actor.userId)),
  ]);
  return { status, credentials, hasPassword: Boolean(user?.passwordHash) };
}

async function writeFactorChange(ctx: UserContext, tx: Transaction, action: string, details: Record<string, unknown>): Promise<void> {
  const { revokedSessions } = await revokeUserSessions(
    { actor: ctx.actor, db: tx },
    { userId: ctx.actor.userId, reason: 'mfa-change', exceptFamilyId: ctx.actor.sessionId },
  );
  await writeAudit(tx, {
    actor: ctx.actor,
    action,
    target: { kind: 'user', id: ctx.actor.userId },
    details: { ...details, revokedSessionCount: revokedSessions },
  });
}

async function recordFactorChange(ctx: UserContext, action: string, details: Record<string, unknown>): Promise<void> {
  await ctx.db.transaction((tx) => writeFactorChange(ctx, tx, action, details));
}

/**
 * Removes one factor of `kind` unless it is the user's last sign-in factor, then
 * revokes the other sessions and writes `auth.mfa_remove`, all in one transaction.
 * The user row is locked first, so two parallel removals (the authenticator app and
 * the last security key) see each other's result and cannot both pass the check.
 */
async function removeFactor(
  ctx: UserContext,
  kind: 'totp' | 'webauthn',
  remove: (tx: Transaction) => Promise<void>,
  details: Record<string, unknown>,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, ctx.actor.userId)).for('update');
    assertNotLastFactor(await userMfaStatus({ db: tx }, ctx.actor.userId), kind);

    await remove(tx);
    await writeFactorChange(ctx, tx, 'auth.mfa_remove', details);
  });
}

/** Raises ConflictError when removing one factor of `kind` would leave the user without a sign-in factor. */
function assertNotLastFactor(status: UserMfaStatus, kind: 'totp' | 'webauthn'): void {
  const totpLeft = kind !== 'totp' && status.totp ? 1 : 0;
  const webauthnLeft = kind === 'webauthn' ? status.webauthn - 1 : status.webauthn;
  const remaining = totpLeft + webauthnLeft;
  if (remaining < 1) {
    throw new ConflictError('this is your last second factor; add another one before removing it');
  }
}

/** Starts enrolling an authenticator app; refused with ConflictError while a confirmed one exists (remove it first). */
export async function startAccountTotp(ctx: UserContext): Promise<TotpEnrollment> {
  return startTotpEnrollment(ctx, { userId: ctx.actor.userId, issuer: TOTP_ISSUER, accountName: ctx.actor.username });
}

/** Confirms the pending authenticator app with the current password and a code from the app. */
export async function confirmAccountTotp(ctx: UserContext, input: unknown, limiters: FactorChangeLimiters = {}): Promise<void> {
  const { code, currentPassword } = parseInput(
    z.object({ code: z.string().trim().min(1, { error: 'code: required' }).max(16), currentPassword: currentPasswordField }).strict(),
    input,
    'code',
  );
  await confirmReauthentication(ctx, currentPassword, limiters.login);
  await throttleAttempt(limiters.mfa, { userId: ctx.actor.userId, clientAddress: ctx.actor.address }, () =>
    confirmTotpEnrollment(ctx, { userId: ctx.actor.userId, code }),
  );
  await recordFactorChange(ctx, 'auth.mfa_enroll', { method: 'totp' });
}

/** Removes the confirmed authenticator app with the current password, unless it is the user's last factor. */
export async function removeAccountTotp(ctx: UserContext, input: unknown, limiter?: LoginLimiter): Promise<void> {
  const { currentPassword } = parseInput(reauthenticationInput, input, 'authenticator app removal');
  await confirmReauthentication(ctx, currentPassword, limiter);
  await removeFactor(
    ctx,
    'totp',
    async (tx) => {
      await tx.delete(mfaTotp).where(and(eq(mfaTotp.userId, ctx.actor.userId), isNotNull(mfaTotp.confirmedAt)));
    },
    { method: 'totp' },
  );
}

/** Returns the WebAuthn creation options for a new security key of the signed-in user. */
export async function startAccountWebAuthn(
  ctx: UserContext,
  relyingParty: { rpId: string; rpName: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return startWebAuthnRegistration(ctx, { userId: ctx.actor.userId, username: ctx.actor.username, ...relyingParty });
}

/** Verifies and stores a new security key from the browser's registration response, with the current password. */
export async function finishAccountWebAuthn(
  ctx: UserContext,
  input: unknown,
  relyingParty: { rpId: string; origin: string },
  limiter?: LoginLimiter,
): Promise<{ id: string; name: string }> {
  const request = parseInput(
    z
      .object({ response: z.record(z.string(), z.unknown()), name: z.string().max(64).optional(), currentPassword: currentPasswordField })
      .strict(),
    input,
    'WebAuthn registration',
  );
  await confirmReauthentication(ctx, request.currentPassword, limiter);
  const credential = await finishWebAuthnRegistration(ctx, {
    userId: ctx.actor.userId,
    response: request.response as unknown as RegistrationResponseJSON,
    expectedOrigin: relyingParty.origin,
    rpId: relyingParty.rpId,
    name: request.name ?? '',
  });
  await recordFactorChange(ctx, 'auth.mfa_enroll', { method: 'webauthn', credentialId: credential.id });
  return { id: credential.id, name: credential.name };
}

/** Renames one of the user's security keys. */
export async function renameAccountWebAuthn(ctx: UserContext, input: unknown): Promise<void> {
  const request = parseInput(z.object({ credentialId: z.string().min(1).max(1024), name: z.string().max(64) }).strict(), input, 'rename');
  await renameWebAuthnCredential(ctx, { userId: ctx.actor.userId, credentialId: request.credentialId, name: request.name });
}

/** Removes one of the user's security keys with the current password, unless it is the user's last factor. */
export async function removeAccountWebAuthn(ctx: UserContext, input: unknown, limiter?: LoginLimiter): Promise<void> {
  const request = parseInput(
    z.object({ credentialId: z.string().min(1).max(1024), currentPassword: currentPasswordField }).strict(),
    input,
    'credential',
  );
  await confirmReauthentication(ctx, request.currentPassword, limiter);
  await removeFactor(
    ctx,
    'webauthn',
    (tx) => deleteWebAuthnCredential({ db: tx }, { userId: ctx.actor.userId, credentialId: request.credentialId }),
    { method: 'webauthn', credentialId: request.credentialId },
  );
}

/** Replaces the user's recovery codes with ten new ones, with the current password, and returns them once. */
export async function regenerateAccountRecoveryCodes(ctx: UserContext, input: unknown, limiter?: LoginLimiter): Promise<string[]> {
  const { currentPassword } = parseInput(reauthenticationInput, input, 'recovery code regeneration');
  await confirmReauthentication(ctx, currentPassword, limiter);
  const codes = await generateRecoveryCodes(ctx, { userId: ctx.actor.userId });
  await recordFactorChange(ctx, 'auth.recovery_codes_regenerate', { recoveryCodeCount: codes.length });
  return codes;
}
