import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '@/lib/auth/create-session';
import { createKeyStore } from '@/lib/auth/key-store';
import { createLoginLimiter, TooManySignInAttemptsError, type LoginLimiter } from '@/lib/auth/login-limiter';
import { createMfaLimiter } from '@/lib/auth/mfa/mfa-limiter';
import { ACCESS_TOKEN_AUDIENCE } from '@/lib/auth/session-cookies';
import { hashRefreshToken } from '@/lib/auth/session-tokens';
import { refreshConsoleSession } from '@/lib/auth/sign-in/refresh-console-session';
import type { SignInServices } from '@/lib/auth/sign-in/services';
import { ensureSigningKey } from '@/lib/auth/signing-keys';
import type { Context } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// The PostgreSQL-backed sign-in limits: password attempts per account and per client
// address, and refresh requests per client address and per account.

let database: TestDatabase;
let ctx: Context;
let configDir: string;
let userCount = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { actor: { kind: 'console', address: '192.0.2.1' }, db: database.db };
  configDir = await mkdtemp(path.join(tmpdir(), 'pm-sign-in-limits-'));
  await ensureSigningKey(configDir);
});

afterAll(async () => {
  await database?.drop();
  await rm(configDir, { recursive: true, force: true });
});

async function createUser(): Promise<string> {
  userCount += 1;
  const [row] = await database.db
    .insert(users)
    .values({ username: `limit-user${userCount}`, role: 'operator' })
    .returning({ id: users.id });
  return row!.id;
}

async function createServices(loginLimiter: LoginLimiter): Promise<SignInServices> {
  return {
    keyStore: createKeyStore(configDir),
    mfaLimiter: await createMfaLimiter(database.sql),
    loginLimiter,
    issuer: 'https://patch.example.test',
    audience: ACCESS_TOKEN_AUDIENCE,
    sessionLifetimeSeconds: 12 * 3600,
    origin: 'https://patch.example.test',
    rpId: 'patch.example.test',
    bindSessionsToAddress: false,
  };
}

/** Returns the error of `attempt`, or throws when it succeeds. */
async function failure(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('expected the attempt to fail, but it succeeded');
    },
    (error: unknown) => error,
  );
}

async function isRotated(refreshToken: string): Promise<boolean> {
  const [row] = await database.sql<{ rotated: boolean }[]>`
    select rotated_at is not null as rotated from refresh_tokens where token_hash = ${hashRefreshToken(refreshToken)}`;
  return row!.rotated;
}

describe('password attempt limits', () => {
  it('limits one account from one address', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxAttemptsPerAccountAndAddress: 3 });
    const attempt = { username: 'carol-one-address', clientAddress: '198.51.100.1' };
    for (let count = 0; count < 3; count++) {
      await limiter.beginLogin(attempt);
    }

    const limited = await failure(limiter.beginLogin(attempt));

    expect(limited).toBeInstanceOf(TooManySignInAttemptsError);
    expect((limited as TooManySignInAttemptsError).retryAfterSeconds).toBeGreaterThan(0);
    await expect(limiter.beginLogin({ ...attempt, clientAddress: '198.51.100.2' })).resolves.toBeUndefined();
  });

  it('limits one account across addresses', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxAttemptsPerAccount: 4 });
    for (let count = 0; count < 4; count++) {
      await limiter.beginLogin({ username: 'dave-many-addresses', clientAddress: `198.51.100.${10 + count}` });
    }

    const limited = await failure(limiter.beginLogin({ username: 'dave-many-addresses', clientAddress: '198.51.100.20' }));

    expect(limited).toBeInstanceOf(TooManySignInAttemptsError);
  });

  it('limits one address across accounts', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxAttemptsPerAddress: 4 });
    for (let count = 0; count < 4; count++) {
      await limiter.beginLogin({ username: `spray-target-${count}`, clientAddress: '198.51.100.30' });
    }

    const limited = await failure(limiter.beginLogin({ username: 'spray-target-new', clientAddress: '198.51.100.30' }));

    expect(limited).toBeInstanceOf(TooManySignInAttemptsError);
    await expect(limiter.beginLogin({ username: 'spray-target-new', clientAddress: '198.51.100.31' })).resolves.toBeUndefined();
  });

  it('treats account names case-insensitively', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxAttemptsPerAccountAndAddress: 2 });
    await limiter.beginLogin({ username: 'Erin', clientAddress: '198.51.100.40' });
    await limiter.beginLogin({ username: 'ERIN ', clientAddress: '198.51.100.40' });

    expect(await failure(limiter.beginLogin({ username: 'erin', clientAddress: '198.51.100.40' }))).toBeInstanceOf(TooManySignInAttemptsError);
  });

  it('shares counts between processes', async () => {
    const other = openDatabase(database.url, { max: 2, applicationName: 'pm-test-other-process' });
    try {
      const first = await createLoginLimiter(database.sql, { maxAttemptsPerAccountAndAddress: 4 });
      const second = await createLoginLimiter(other.sql, { maxAttemptsPerAccountAndAddress: 4 });
      const attempt = { username: 'frank-two-processes', clientAddress: '198.51.100.50' };
      await first.beginLogin(attempt);
      await first.beginLogin(attempt);
      await second.beginLogin(attempt);
      await second.beginLogin(attempt);

      expect(await failure(first.beginLogin(attempt))).toBeInstanceOf(TooManySignInAttemptsError);
      expect(await failure(second.beginLogin(attempt))).toBeInstanceOf(TooManySignInAttemptsError);
    } finally {
      await other.close();
    }
  });
});

describe('refresh limits', () => {
  const client = { userAgent: 'vitest' };

  async function startSession(userId: string) {
    return createSession(ctx, { userId, clientAddress: '203.0.113.1', userAgent: 'vitest', absoluteLifetimeSeconds: 3600 });
  }

  it('limits refresh requests of one address', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxRefreshesPerMinute: 3, maxRefreshesPerAccountPerMinute: 100 });
    const signIn = await createServices(limiter);
    const session = await startSession(await createUser());
    for (let count = 0; count < 3; count++) {
      const error = await failure(
        refreshConsoleSession(ctx, { refreshToken: null, bindingSecret: null, clientAddress: '203.0.113.10', ...client }, signIn),
      );
      expect(error, `request ${count + 1}`).toBeInstanceOf(UnauthorizedError);
    }

    const limited = await failure(
      refreshConsoleSession(
        ctx,
        { refreshToken: session.refreshToken, bindingSecret: session.bindingSecret, clientAddress: '203.0.113.10', ...client },
        signIn,
      ),
    );

    expect(limited).toBeInstanceOf(TooManySignInAttemptsError);
    expect(await isRotated(session.refreshToken)).toBe(false);
  });

  it('limits refresh requests of one account across addresses', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxRefreshesPerMinute: 100, maxRefreshesPerAccountPerMinute: 3 });
    const signIn = await createServices(limiter);
    const userId = await createUser();
    const session = await startSession(userId);
    let refreshToken = session.refreshToken;
    for (let count = 0; count < 3; count++) {
      const refreshed = await refreshConsoleSession(
        ctx,
        { refreshToken, bindingSecret: session.bindingSecret, clientAddress: `203.0.113.${20 + count}`, ...client },
        signIn,
      );
      refreshToken = refreshed.refreshToken;
    }

    const limited = await failure(
      refreshConsoleSession(ctx, { refreshToken, bindingSecret: session.bindingSecret, clientAddress: '203.0.113.30', ...client }, signIn),
    );
    const otherUser = await startSession(await createUser());
    const otherRefresh = await refreshConsoleSession(
      ctx,
      { refreshToken: otherUser.refreshToken, bindingSecret: otherUser.bindingSecret, clientAddress: '203.0.113.30', ...client },
      signIn,
    );

    expect(limited).toBeInstanceOf(TooManySignInAttemptsError);
    expect(await isRotated(refreshToken)).toBe(false);
    expect(otherRefresh.refreshToken).not.toBe(otherUser.refreshToken);
  });

  it('does not count an unknown token against any account', async () => {
    const limiter = await createLoginLimiter(database.sql, { maxRefreshesPerMinute: 100, maxRefreshesPerAccountPerMinute: 1 });
    const signIn = await createServices(limiter);
    const session = await startSession(await createUser());
    for (let count = 0; count < 3; count++) {
      const unknown = await failure(
        refreshConsoleSession(ctx, { refreshToken: 'A'.repeat(43), bindingSecret: session.bindingSecret, clientAddress: '203.0.113.40', ...client }, signIn),
      );
      expect(unknown, `request ${count + 1}`).toBeInstanceOf(UnauthorizedError);
    }

    const refreshed = await refreshConsoleSession(
      ctx,
      { refreshToken: session.refreshToken, bindingSecret: session.bindingSecret, clientAddress: '203.0.113.40', ...client },
      signIn,
    );

    expect(refreshed.refreshToken).not.toBe(session.refreshToken);
  });
});
