import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { settings, users } from '@/lib/db/schema';
import { NotFoundError, UnauthorizedError } from '@/lib/errors';
import { newPasswordField, usernameField } from '@/lib/users/user-fields';
import { parseInput } from '@/lib/validation';
import { hashPassword } from '../hash-password';
import { checkPasswordPolicy } from '../password-policy';

/** Settings key of the SHA-256 (hex) of the one-time setup token. */
export const SETUP_TOKEN_SETTING = 'auth.setup_token_hash';

/** Advisory lock key that serialises first-run setups across processes. */
const SETUP_LOCK = 7_301_301;

const SETUP_TOKEN_PATTERN = /^pmsetup_[A-Za-z0-9_-]{43}$/;

function hashSetupToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Prepares first-run setup at server start. When no user exists it creates a new
 * one-time setup token (256 random bits), stores only its SHA-256 in the settings
 * table, replacing any earlier one, and returns the token so the caller can print it.
 * When a user exists it deletes any stored token and returns null.
 */
export async function prepareFirstRunSetup(db: Database): Promise<string | null> {
  const [existing] = await db.select({ value: count() }).from(users);
  if ((existing?.value ?? 0) > 0) {
    await db.delete(settings).where(eq(settings.key, SETUP_TOKEN_SETTING));
    return null;
  }

  const token = `pmsetup_${randomBytes(32).toString('base64url')}`;
  const value = { sha256: hashSetupToken(token).toString('hex'), createdAt: new Date().toISOString() };
  await db
    .insert(settings)
    .values({ key: SETUP_TOKEN_SETTING, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
  return token;
}

/** Returns true while first-run setup can still run: no user exists and a setup token is stored. */
export async function isSetupPending(db: Database): Promise<boolean> {
  const [existing] = await db.select({ value: count() }).from(users);
  if ((existing?.value ?? 0) > 0) {
    return false;
  }
  const [stored] = await db.select({ key: settings.key }).from(settings).where(eq(settings.key, SETUP_TOKEN_SETTING));
  return stored !== undefined;
}

export const completeSetupInput = z
  .object({
    setupToken: z.string().max(128, { error: 'setupToken: too long' }),
    username: usernameField,
    password: newPasswordField,
  })
  .strict();

/**
 * Creates the first Admin with the setup token printed at server start. The token
 * is compared in constant time, and the check, the insert and the token's deletion
 * run in one transaction under an advisory lock, so of two parallel setups at most
 * one succeeds. Raises NotFoundError once any user exists (setup is gone),
 * UnauthorizedError for a wrong token and ValidationError for a weak password. The
 * new Admin signs in next and enrolls a second factor then.
 */
export async function completeSetup(ctx: Context, input: unknown): Promise<{ userId: string; username: string }> {
  const request = parseInput(completeSetupInput, input, 'setup request');
  checkPasswordPolicy(request.password, { username: request.username });
  const passwordHash = await hashPassword(request.password);

  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);

    const [existing] = await tx.select({ value: count() }).from(users);
    if ((existing?.value ?? 0) > 0) {
      throw new NotFoundError('setup is already complete; sign in instead');
    }
    const [stored] = await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, SETUP_TOKEN_SETTING));
    const storedHash = (stored?.value as { sha256?: unknown } | undefined)?.sha256;
    if (typeof storedHash !== 'string' || !/^[0-9a-f]{64}$/.test(storedHash)) {
      throw new NotFoundError('no setup token is pending; restart the server to print a new one');
    }

    const presented = hashSetupToken(SETUP_TOKEN_PATTERN.test(request.setupToken) ? request.setupToken : `invalid:${request.setupToken}`);
    if (!timingSafeEqual(presented, Buffer.from(storedHash, 'hex'))) {
      throw new UnauthorizedError('setup token is invalid; copy it from the server output', { field: 'setupToken' });
    }

    const [user] = await tx
      .insert(users)
      .values({ username: request.username, role: 'admin', passwordHash, passwordChangedAt: new Date() })
      .returning({ id: users.id, username: users.username });
    await tx.delete(settings).where(eq(settings.key, SETUP_TOKEN_SETTING));
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'user.create',
      target: { kind: 'user', id: user!.id },
      details: { username: user!.username, role: 'admin', source: 'first-run setup' },
    });
    return { userId: user!.id, username: user!.username };
  });
}
