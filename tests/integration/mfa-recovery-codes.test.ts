import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmTotpEnrollment } from '@/lib/auth/mfa/confirm-totp-enrollment';
import { generateRecoveryCodes } from '@/lib/auth/mfa/generate-recovery-codes';
import { createMfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import { remainingRecoveryCodes } from '@/lib/auth/mfa/remaining-recovery-codes';
import { resetMfa } from '@/lib/auth/mfa/reset-mfa';
import { startTotpEnrollment } from '@/lib/auth/mfa/start-totp-enrollment';
import { totpAt } from '@/lib/auth/mfa/totp-code';
import { userMfaStatus } from '@/lib/auth/mfa/user-mfa-status';
import { verifyRecoveryCode } from '@/lib/auth/mfa/verify-recovery-code';
import type { Context } from '@/lib/context';
import { NotFoundError, RateLimitedError, UnauthorizedError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let ctx: Context;

async function createUser(): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`
    insert into users (username, role) values (${`user-${crypto.randomBytes(4).toString('hex')}`}, 'operator') returning id`;
  return row!.id;
}

async function storedHashes(userId: string): Promise<string[]> {
  const rows = await database.sql<{ code_hash: string }[]>`select code_hash from recovery_codes where user_id = ${userId}`;
  return rows.map((row) => row.code_hash);
}

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { actor: { kind: 'console', address: '127.0.0.1' }, db: database.db };
});

afterAll(async () => {
  await database?.drop();
});

describe('recovery codes', () => {
  it('generates ten distinct codes', async () => {
    const userId = await createUser();

    const codes = await generateRecoveryCodes(ctx, { userId });

    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    }
    expect(await remainingRecoveryCodes(ctx, userId)).toBe(10);
  });

  it('stores only salted hashes', async () => {
    const userId = await createUser();

    const codes = await generateRecoveryCodes(ctx, { userId });

    const hashes = await storedHashes(userId);
    expect(hashes).toHaveLength(10);
    for (const hash of hashes) {
      expect(hash).toMatch(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      for (const code of codes) {
        expect(hash).not.toContain(code.replaceAll('-', ''));
      }
    }
  });

  it('regeneration replaces old codes', async () => {
    const userId = await createUser();
    const old = await generateRecoveryCodes(ctx, { userId });

    const fresh = await generateRecoveryCodes(ctx, { userId });

    expect(await remainingRecoveryCodes(ctx, userId)).toBe(10);
    await expect(verifyRecoveryCode(ctx, { userId, code: old[0]! })).rejects.toThrow(UnauthorizedError);
    expect(await verifyRecoveryCode(ctx, { userId, code: fresh[0]! })).toBe(true);
  });

  it('each code works once', async () => {
    const userId = await createUser();
    const codes = await generateRecoveryCodes(ctx, { userId });

    expect(await verifyRecoveryCode(ctx, { userId, code: codes[3]! })).toBe(true);

    expect(await remainingRecoveryCodes(ctx, userId)).toBe(9);
    await expect(verifyRecoveryCode(ctx, { userId, code: codes[3]! })).rejects.toThrow(/already used/);
    expect(await verifyRecoveryCode(ctx, { userId, code: codes[4]!.toUpperCase().replaceAll('-', ' ') })).toBe(true);
    expect(await remainingRecoveryCodes(ctx, userId)).toBe(8);
  });

  it('parallel use of one code: exactly one passes', async () => {
    const userId = await createUser();
    const [code] = await generateRecoveryCodes(ctx, { userId });

    const results = await Promise.allSettled(Array.from({ length: 8 }, () => verifyRecoveryCode(ctx, { userId, code: code! })));

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((item) => item.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(UnauthorizedError);
    }
    expect(await remainingRecoveryCodes(ctx, userId)).toBe(9);
  });

  it("rejects another user's code", async () => {
    const owner = await createUser();
    const other = await createUser();
    const [code] = await generateRecoveryCodes(ctx, { userId: owner });
    await generateRecoveryCodes(ctx, { userId: other });

    await expect(verifyRecoveryCode(ctx, { userId: other, code: code! })).rejects.toThrow(UnauthorizedError);

    expect(await remainingRecoveryCodes(ctx, owner)).toBe(10);
    expect(await remainingRecoveryCodes(ctx, other)).toBe(10);
  });

  it('rejects malformed codes', async () => {
    const userId = await createUser();
    await generateRecoveryCodes(ctx, { userId });

    await expect(verifyRecoveryCode(ctx, { userId, code: '' })).rejects.toThrow(UnauthorizedError);
    await expect(verifyRecoveryCode(ctx, { userId, code: 'uuuu-uuuu-uuuu' })).rejects.toThrow(UnauthorizedError);
  });

  it('generation for unknown user is not found', async () => {
    await expect(generateRecoveryCodes(ctx, { userId: crypto.randomUUID() })).rejects.toThrow(NotFoundError);
  });

  it('failures are throttled', async () => {
    const limiter = await createMfaLimiter(database.sql, { maxFailuresPerUser: 3 });
    const userId = await createUser();
    const [code] = await generateRecoveryCodes(ctx, { userId });
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(verifyRecoveryCode(ctx, { userId, code: 'aaaa-bbbb-cccc' }, limiter)).rejects.toThrow(UnauthorizedError);
    }

    await expect(verifyRecoveryCode(ctx, { userId, code: code! }, limiter)).rejects.toThrow(RateLimitedError);

    expect(await remainingRecoveryCodes(ctx, userId)).toBe(10);
  });
});

describe('MFA status and reset', () => {
  async function enrollEverything(userId: string) {
    const { secret } = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'admin' });
    const now = new Date();
    await confirmTotpEnrollment(ctx, { userId, code: await totpAt(secret, now), now });
    await generateRecoveryCodes(ctx, { userId });
    await database.sql`
      insert into webauthn_credentials (id, user_id, name, public_key)
      values (${crypto.randomBytes(16).toString('base64url')}, ${userId}, 'key', ${crypto.randomBytes(77)})`;
  }

  it('reports no factors for a new user', async () => {
    const userId = await createUser();

    expect(await userMfaStatus(ctx, userId)).toEqual({ totp: false, webauthn: 0, recoveryCodesLeft: 0, enrolled: false });
  });

  it('recovery codes alone are not enrolled', async () => {
    const userId = await createUser();
    await generateRecoveryCodes(ctx, { userId });

    expect(await userMfaStatus(ctx, userId)).toEqual({ totp: false, webauthn: 0, recoveryCodesLeft: 10, enrolled: false });
  });

  it('reports every factor', async () => {
    const userId = await createUser();
    await enrollEverything(userId);

    expect(await userMfaStatus(ctx, userId)).toEqual({ totp: true, webauthn: 1, recoveryCodesLeft: 10, enrolled: true });
  });

  it('reset removes every factor of one user', async () => {
    const userId = await createUser();
    const bystander = await createUser();
    await enrollEverything(userId);
    await enrollEverything(bystander);

    const result = await resetMfa(ctx, { userId });

    expect(result).toEqual({ totpRemoved: true, webauthnRemoved: 1, recoveryCodesRemoved: 10 });
    expect(await userMfaStatus(ctx, userId)).toEqual({ totp: false, webauthn: 0, recoveryCodesLeft: 0, enrolled: false });
    expect(await userMfaStatus(ctx, bystander)).toEqual({ totp: true, webauthn: 1, recoveryCodesLeft: 10, enrolled: true });
  });

  it('after reset TOTP can be enrolled again', async () => {
    const userId = await createUser();
    await enrollEverything(userId);
    await resetMfa(ctx, { userId });

    const { secret } = await startTotpEnrollment(ctx, { userId, issuer: 'Patch Manager', accountName: 'admin' });

    const now = new Date();
    await confirmTotpEnrollment(ctx, { userId, code: await totpAt(secret, now), now });
    expect((await userMfaStatus(ctx, userId)).totp).toBe(true);
  });
});
