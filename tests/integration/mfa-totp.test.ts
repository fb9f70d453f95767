import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmTotpEnrollment } from '@/lib/auth/mfa/confirm-totp-enrollment';
import { createMfaLimiter, TooManyAttemptsError, type MfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import { startTotpEnrollment } from '@/lib/auth/mfa/start-totp-enrollment';
import { totpAt, totpStep } from '@/lib/auth/mfa/totp-code';
import { userMfaStatus } from '@/lib/auth/mfa/user-mfa-status';
import { verifyTotp } from '@/lib/auth/mfa/verify-totp';
import type { Context } from '@/lib/context';
import { openDatabase, type DatabaseHandle } from '@/lib/db/client';
import { ConflictError, NotFoundError, RateLimitedError, UnauthorizedError, ValidationError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let ctx: Context;

const STEP_MS = 30_000;

async function createUser(): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`
    insert into users (username, role) values (${`user-${crypto.randomBytes(4).toString('hex')}`}, 'operator') returning id`;
  return row!.id;
}

/** Creates a user with confirmed TOTP; returns the user, the secret and the confirmation time. */
async function enrolledUser(): Promise<{ userId: string; secret: string; confirmedAt: Date }> {
  const userId = await createUser();
  const { secret } = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'alice' });
  const confirmedAt = new Date();
  await confirmTotpEnrollment(ctx, { userId, code: await totpAt(secret, confirmedAt), now: confirmedAt });
  return { userId, secret, confirmedAt };
}

/** Returns the middle of the TOTP step that lies `steps` steps after the one containing `from`. */
function stepsLater(from: Date, steps: number): Date {
  return new Date((totpStep(from) + steps) * STEP_MS + STEP_MS / 2);
}

async function lastStep(userId: string): Promise<number | null> {
  const [row] = await database.sql<{ last_step: string | null }[]>`select last_step from mfa_totp where user_id = ${userId}`;
  return row?.last_step === null || row?.last_step === undefined ? null : Number(row.last_step);
}

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { actor: { kind: 'console', address: '127.0.0.1' }, db: database.db };
});

afterAll(async () => {
  await database?.drop();
});

describe('TOTP enrollment', () => {
  it('returns secret, URI and QR code', async () => {
    const userId = await createUser();

    const enrollment = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'alice@example.org' });

    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrollment.otpauthUrl);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Patch Manager:alice@example.org');
    expect(uri.searchParams.get('secret')).toBe(enrollment.secret);
    expect(uri.searchParams.get('issuer')).toBe('Patch Manager');
    expect(enrollment.qrDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(enrollment.qrDataUrl.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('stores the secret unconfirmed', async () => {
    const userId = await createUser();

    const { secret } = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'bob' });

    const [row] = await database.sql<{ secret: string; confirmed_at: Date | null }[]>`
      select secret, confirmed_at from mfa_totp where user_id = ${userId}`;
    expect(row?.secret).toBe(secret);
    expect(row?.confirmed_at).toBeNull();
    expect((await userMfaStatus(ctx, userId)).totp).toBe(false);
    await expect(verifyTotp(ctx, { userId, code: await totpAt(secret, new Date()) })).rejects.toThrow(UnauthorizedError);
  });

  it('replaces an unconfirmed secret', async () => {
    const userId = await createUser();
    const first = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'carol' });

    const second = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'carol' });

    expect(second.secret).not.toBe(first.secret);
    const now = new Date();
    await expect(confirmTotpEnrollment(ctx, { userId, code: await totpAt(first.secret, now), now })).rejects.toThrow(UnauthorizedError);
    await confirmTotpEnrollment(ctx, { userId, code: await totpAt(second.secret, now), now });
    expect((await userMfaStatus(ctx, userId)).totp).toBe(true);
  });

  it('keeps a confirmed secret', async () => {
    const { userId, secret } = await enrolledUser();

    await expect(startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'dave' })).rejects.toThrow(ConflictError);

    const [row] = await database.sql<{ secret: string }[]>`select secret from mfa_totp where user_id = ${userId}`;
    expect(row?.secret).toBe(secret);
  });

  it('confirm rejects a wrong code', async () => {
    const userId = await createUser();
    const { secret } = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'erin' });
    const now = new Date();

    await expect(confirmTotpEnrollment(ctx, { userId, code: await totpAt(secret, stepsLater(now, 2)), now })).rejects.toThrow(
      UnauthorizedError,
    );
    expect((await userMfaStatus(ctx, userId)).totp).toBe(false);
  });

  it('confirm without enrollment is not found', async () => {
    const userId = await createUser();

    await expect(confirmTotpEnrollment(ctx, { userId, code: '123456' })).rejects.toThrow(NotFoundError);
  });

  it('enrollment for unknown user is not found', async () => {
    await expect(
      startTotpEnrollment(ctx, { userId: crypto.randomUUID(), issuer: 'Patch Manager', accountName: 'ghost' }),
    ).rejects.toThrow(NotFoundError);
  });

  it('rejects an issuer with a colon', async () => {
    const userId = await createUser();

    await expect(startTotpEnrollment(ctx, { userId, issuer: 'Patch:Manager', accountName: 'frank' })).rejects.toThrow(ValidationError);
  });
});

describe('TOTP verification', () => {
  it('accepts one step of drift, not two', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 10);
    const codeAt = (offset: number) => totpAt(secret, stepsLater(now, offset));

    await expect(verifyTotp(ctx, { userId, code: await codeAt(-2), now })).rejects.toThrow(UnauthorizedError);
    await expect(verifyTotp(ctx, { userId, code: await codeAt(2), now })).rejects.toThrow(UnauthorizedError);
    expect(await lastStep(userId)).toBe(totpStep(confirmedAt));

    expect(await verifyTotp(ctx, { userId, code: await codeAt(-1), now })).toBe(true);
    expect(await lastStep(userId)).toBe(totpStep(now) - 1);
    expect(await verifyTotp(ctx, { userId, code: await codeAt(1), now })).toBe(true);
    expect(await lastStep(userId)).toBe(totpStep(now) + 1);
  });

  it('rejects the confirmation code', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();

    await expect(verifyTotp(ctx, { userId, code: await totpAt(secret, confirmedAt), now: confirmedAt })).rejects.toThrow(
      /already used/,
    );
  });

  it('rejects replay of a used step', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 5);
    const code = await totpAt(secret, now);

    expect(await verifyTotp(ctx, { userId, code, now })).toBe(true);

    await expect(verifyTotp(ctx, { userId, code, now })).rejects.toThrow(/already used/);
    await expect(verifyTotp(ctx, { userId, code, now: stepsLater(now, 1) })).rejects.toThrow(/already used/);
  });

  it('rejects an earlier step after a later one', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 5);

    expect(await verifyTotp(ctx, { userId, code: await totpAt(secret, stepsLater(now, 1)), now })).toBe(true);

    await expect(verifyTotp(ctx, { userId, code: await totpAt(secret, now), now })).rejects.toThrow(/already used/);
    await expect(verifyTotp(ctx, { userId, code: await totpAt(secret, stepsLater(now, -1)), now })).rejects.toThrow(/already used/);
    expect(await lastStep(userId)).toBe(totpStep(now) + 1);
  });

  it('parallel use of one code: exactly one passes', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 3);
    const code = await totpAt(secret, now);

    const results = await Promise.allSettled(Array.from({ length: 8 }, () => verifyTotp(ctx, { userId, code, now })));

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(7);
    for (const result of rejected) {
      expect(result.reason).toBeInstanceOf(UnauthorizedError);
    }
  });

  it('rejects a user without TOTP', async () => {
    const userId = await createUser();

    await expect(verifyTotp(ctx, { userId, code: '123456' })).rejects.toThrow(UnauthorizedError);
  });

  it('rejects a malformed user id', async () => {
    await expect(verifyTotp(ctx, { userId: 'admin', code: '123456' })).rejects.toThrow(ValidationError);
  });
});

describe('second-factor throttling', () => {
  let limiter: MfaLimiter;

  beforeAll(async () => {
    limiter = await createMfaLimiter(database.sql, { maxFailuresPerUser: 5, maxFailuresPerAddress: 20, windowSeconds: 300 });
  });

  async function failures(userId: string, count: number, clientAddress?: string, use: MfaLimiter = limiter) {
    for (let attempt = 0; attempt < count; attempt++) {
      await expect(verifyTotp(ctx, { userId, code: '000000', clientAddress }, use), `attempt ${attempt + 1}`).rejects.toThrow(
        UnauthorizedError,
      );
    }
  }

  it('limits after five failures', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 2);
    await failures(userId, 5);

    const error = await verifyTotp(ctx, { userId, code: await totpAt(secret, now), now }, limiter).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toBeInstanceOf(TooManyAttemptsError);
    expect((error as TooManyAttemptsError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as TooManyAttemptsError).retryAfterSeconds).toBeLessThanOrEqual(300);
    expect(await lastStep(userId)).toBe(totpStep(confirmedAt));
  });

  it('success resets the user count', async () => {
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 2);
    await failures(userId, 4);

    expect(await verifyTotp(ctx, { userId, code: await totpAt(secret, now), now }, limiter)).toBe(true);

    await failures(userId, 5);
    await expect(verifyTotp(ctx, { userId, code: '000000' }, limiter)).rejects.toThrow(RateLimitedError);
  });

  it('count resets when the window ends', async () => {
    const shortWindow = await createMfaLimiter(database.sql, { maxFailuresPerUser: 2, windowSeconds: 1 });
    const { userId, secret, confirmedAt } = await enrolledUser();
    const now = stepsLater(confirmedAt, 2);
    await failures(userId, 2, undefined, shortWindow);
    await expect(verifyTotp(ctx, { userId, code: '000000' }, shortWindow)).rejects.toThrow(RateLimitedError);

    await new Promise((resolve) => setTimeout(resolve, 1_100));

    expect(await verifyTotp(ctx, { userId, code: await totpAt(secret, now), now }, shortWindow)).toBe(true);
  });

  it('limits one address across users', async () => {
    const perAddress = await createMfaLimiter(database.sql, { maxFailuresPerUser: 5, maxFailuresPerAddress: 3 });
    const users = await Promise.all([createUser(), createUser(), createUser(), createUser()]);

    for (const userId of users.slice(0, 3)) {
      await failures(userId, 1, '192.0.2.7', perAddress);
    }

    await expect(verifyTotp(ctx, { userId: users[3]!, code: '000000', clientAddress: '192.0.2.7' }, perAddress)).rejects.toThrow(
      RateLimitedError,
    );
    await expect(verifyTotp(ctx, { userId: users[3]!, code: '000000', clientAddress: '192.0.2.8' }, perAddress)).rejects.toThrow(
      UnauthorizedError,
    );
  });

  it('parallel guesses stay within the limit', async () => {
    const userId = await createUser();

    const results = await Promise.allSettled(Array.from({ length: 12 }, () => verifyTotp(ctx, { userId, code: '000000' }, limiter)));

    const reasons = results.map((result) => (result.status === 'rejected' ? result.reason : undefined));
    expect(reasons.filter((reason) => reason instanceof RateLimitedError)).toHaveLength(7);
    expect(reasons.filter((reason) => reason instanceof UnauthorizedError)).toHaveLength(5);
  });

  it('counts are shared between processes', async () => {
    const other: DatabaseHandle = openDatabase(database.url, { max: 2, applicationName: 'pm-test-other-process' });
    try {
      const otherLimiter = await createMfaLimiter(other.sql);
      const userId = await createUser();
      await failures(userId, 3, undefined, limiter);
      await failures(userId, 2, undefined, otherLimiter);

      await expect(verifyTotp(ctx, { userId, code: '000000' }, limiter)).rejects.toThrow(RateLimitedError);
      await expect(verifyTotp({ ...ctx, db: other.db }, { userId, code: '000000' }, otherLimiter)).rejects.toThrow(RateLimitedError);
    } finally {
      await other.close();
    }
  });
});
