import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { users } from '@/lib/db/schema';
import { ForbiddenError, UnauthorizedError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { hashPassword } from '../hash-password';
import { userMfaStatus } from '../mfa/user-mfa-status';
import { isLocalLoginAllowed, LOCAL_LOGIN_RESTRICTED_MESSAGE } from '../sso/local-login-policy';
import { PASSWORD_MAX_LENGTH } from '../password-policy';
import { verifyDummyPassword, verifyPassword } from '../verify-password';
import { createLoginChallenge, type ChallengePurpose } from './login-challenge';
import type { SignInServices } from './services';

export const beginLoginInput = z
  .object({
    username: z.string().trim().min(1, { error: 'username: required' }).max(128, { error: 'username: at most 128 characters' }),
    password: z.string().min(1, { error: 'password: required' }).max(PASSWORD_MAX_LENGTH, { error: 'password: too long' }),
  })
  .strict();

/** A second-factor method the user can sign in with. */
export type SecondFactorMethod = 'totp' | 'webauthn' | 'recovery';

export interface BeganLogin {
  /** Token for the challenge cookie; it exists only in this return value. */
  challengeToken: string;
  /** `mfa` to verify a factor, `enroll` when the user has none yet. */
  next: ChallengePurpose;
  /** Methods the next step offers. */
  methods: SecondFactorMethod[];
}

/** The one error of the password step, so a caller cannot tell an unknown user from a wrong password or a disabled user. */
function invalidCredentials(): UnauthorizedError {
  return new UnauthorizedError('username or password is incorrect');
}

/**
 * Returns the typed username for an audit row only when it names an account. A name
 * that matches no account may be a password typed into the wrong field, so the row
 * keeps only its length.
 */
function typedName(username: string, userId: string | null): { username: string } | { unknownUsernameLength: number } {
  return userId ? { username } : { unknownUsernameLength: username.length };
}

/** Writes the `auth.login_failed` row of a password sign-in the SSO settings do not allow, then raises ForbiddenError. */
async function rejectRestrictedLogin(ctx: Context, username: string, knownUserId: string | null): Promise<never> {
  // The response never depends on the account, but the audit row names it when it exists.
  let userId = knownUserId;
  if (!userId) {
    const [user] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username));
    userId = user?.id ?? null;
  }
  await ctx.db.transaction((tx) =>
    writeAudit(tx, {
      actor: ctx.actor,
      action: 'auth.login_failed',
      target: userId ? { kind: 'user', id: userId } : null,
      details: { ...typedName(username, userId), reason: 'local_login_restricted', step: 'password' },
    }),
  );
  throw new ForbiddenError(LOCAL_LOGIN_RESTRICTED_MESSAGE);
}

/**
 * Checks a username and password, the first of the two sign-in steps, and opens a
 * 5-minute challenge for the second factor. It issues no token, because access
 * requires a verified second factor too.
 *
 * Steps in order: the limiter counts the attempt (per typed username and client
 * address) before any check. An unknown user still costs one Argon2 verification
 * (`verifyDummyPassword`), so timing does not reveal which users exist. Unknown
 * user, wrong password and disabled user raise the same UnauthorizedError and write
 * an `auth.login_failed` audit row. A correct password with an outdated hash is
 * rehashed. A user without a confirmed factor gets an `enroll` challenge. While
 * the SSO settings restrict local sign-in, every username outside the break-glass
 * list, and a listed user who is not an Admin, gets ForbiddenError and an
 * `auth.login_failed` row with reason `local_login_restricted`.
 */
export async function beginLogin(ctx: Context, input: unknown, services: SignInServices, clientAddress: string): Promise<BeganLogin> {
  const request = parseInput(beginLoginInput, input, 'sign-in request');
  const username = request.username.toLowerCase();

  await services.loginLimiter.beginLogin({ username, clientAddress });

  // With SSO restricting local sign-in, a name outside the break-glass list is
  // rejected before any lookup, so the response does not depend on the account.
  if (!(await isLocalLoginAllowed(ctx.db, username))) {
    await rejectRestrictedLogin(ctx, username, null);
  }

  const [user] = await ctx.db
    .select({ id: users.id, role: users.role, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.username, username));

  const verification = user?.passwordHash
    ? await verifyPassword(user.passwordHash, request.password)
    : { valid: await verifyDummyPassword(request.password), needsRehash: false };

  if (!user || !verification.valid || user.disabledAt !== null) {
    let reason = 'disabled';
    if (!user) {
      reason = 'unknown_user';
    } else if (!verification.valid) {
      reason = 'wrong_password';
    }
    await ctx.db.transaction((tx) =>
      writeAudit(tx, {
        actor: ctx.actor,
        action: 'auth.login_failed',
        target: user ? { kind: 'user', id: user.id } : null,
        details: { ...typedName(username, user?.id ?? null), reason, step: 'password' },
      }),
    );
    throw invalidCredentials();
  }

  if (!(await isLocalLoginAllowed(ctx.db, username, user.role))) {
    await rejectRestrictedLogin(ctx, username, user.id);
  }

  if (verification.needsRehash) {
    await ctx.db.update(users).set({ passwordHash: await hashPassword(request.password) }).where(eq(users.id, user.id));
  }

  const status = await userMfaStatus(ctx, user.id);
  const next: ChallengePurpose = status.enrolled ? 'mfa' : 'enroll';
  const methods: SecondFactorMethod[] = [];
  if (next === 'enroll') {
    methods.push('totp');
  } else {
    if (status.totp) methods.push('totp');
    if (status.webauthn > 0) methods.push('webauthn');
    if (status.recoveryCodesLeft > 0) methods.push('recovery');
  }

  const challengeToken = await createLoginChallenge(ctx.db, { userId: user.id, purpose: next });
  await services.loginLimiter.recordLoginSuccess({ username, clientAddress });

  return { challengeToken, next, methods };
}
