import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '@/lib/auth/create-session';
import { isSessionActive } from '@/lib/auth/is-session-active';
import { revokeSession } from '@/lib/auth/revoke-session';
import { revokeUserSessions } from '@/lib/auth/revoke-user-sessions';
import { rotateRefreshToken, type RefreshAuditEvent } from '@/lib/auth/rotate-refresh-token';
import type { Transaction } from '@/lib/auth/session-tokens';
import type { Context } from '@/lib/context';
import { openDatabase, type DatabaseHandle } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { UnauthorizedError, ValidationError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let ctx: Context;
let userCount = 0;

const client = { clientAddress: '192.0.2.7', userAgent: 'vitest' };
const HOUR_MS = 60 * 60 * 1000;

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { actor: { kind: 'system', name: 'test' }, db: database.db };
});

afterAll(async () => {
  await database.drop();
});

async function createUser(options: { disabled?: boolean } = {}): Promise<string> {
  userCount += 1;
  const [row] = await database.db
    .insert(users)
    .values({ username: `user${userCount}`, role: 'operator', disabledAt: options.disabled ? new Date() : null })
    .returning({ id: users.id });
  return row!.id;
}

/** The binding secret of each refresh token issued in this file, because every token of a family needs its family's binding. */
const bindings = new Map<string, string>();

async function startSession(userId: string, now: Date, absoluteLifetimeSeconds = 12 * 3600) {
  const session = await createSession(ctx, { userId, ...client, absoluteLifetimeSeconds, now });
  bindings.set(session.refreshToken, session.bindingSecret);
  return session;
}

/** Waits until the named connections are all blocked on a lock. */
async function waitForLockWaiters(applicationNames: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await database.sql<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and application_name = any(${applicationNames})`;
    if (row!.waiting === applicationNames.length) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`connections ${applicationNames.join(', ')} did not block on the row lock within 10 s`);
}

async function rotate(token: string, now: Date, context: Context = ctx) {
  const bindingSecret = bindings.get(token) ?? null;
  const rotated = await rotateRefreshToken(context, { token, bindingSecret, ...client, now });
  if (bindingSecret !== null) bindings.set(rotated.refreshToken, bindingSecret);
  return rotated;
}

async function familyRows(familyId: string) {
  return database.sql<{ rotated: boolean; revoked_reason: string | null }[]>`
    select rotated_at is not null as rotated, revoked_reason from refresh_tokens
    where family_id = ${familyId} order by created_at, id`;
}

describe('createSession', () => {
  it('stores only the SHA-256 of the token', async () => {
    const userId = await createUser();
    const now = new Date();
    const session = await startSession(userId, now);

    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(session.refreshToken, 'base64url')).toHaveLength(32);
    expect(session.expiresAt.getTime()).toBe(now.getTime() + 12 * HOUR_MS);

    const rows = await database.sql<{ token_hash: string; family_id: string }[]>`
      select token_hash, family_id from refresh_tokens where user_id = ${userId}`;
    expect(rows).toEqual([{ token_hash: createHash('sha256').update(session.refreshToken).digest('hex'), family_id: session.familyId }]);
    expect(await isSessionActive(database.db, session.familyId, now)).toBe(true);
  });

  it('joins the caller transaction', async () => {
    const userId = await createUser();
    let familyId = '';
    await expect(
      database.db.transaction(async (tx) => {
        familyId = (await createSession({ ...ctx, db: tx }, { userId, ...client, absoluteLifetimeSeconds: 3600 })).familyId;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    expect(await familyRows(familyId)).toEqual([]);
  });

  it('rejects an invalid absolute lifetime', async () => {
    const userId = await createUser();
    await expect(startSession(userId, new Date(), 0)).rejects.toThrow(ValidationError);
    await expect(startSession(userId, new Date(), 1.5)).rejects.toThrow(/absoluteLifetimeSeconds: 1.5 is invalid/);
  });
});

describe('rotateRefreshToken', () => {
  it('returns a successor in the same family', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);

    const rotated = await rotate(session.refreshToken, new Date(start.getTime() + 60_000));
    expect(rotated.refreshToken).not.toBe(session.refreshToken);
    expect(rotated).toMatchObject({ userId, role: 'operator', familyId: session.familyId, expiresAt: session.expiresAt });

    const next = await rotate(rotated.refreshToken, new Date(start.getTime() + 120_000));
    expect(next.familyId).toBe(session.familyId);
    expect(await familyRows(session.familyId)).toEqual([
      { rotated: true, revoked_reason: null },
      { rotated: true, revoked_reason: null },
      { rotated: false, revoked_reason: null },
    ]);
  });

  it('rejects an unknown or malformed token', async () => {
    const now = new Date();
    await expect(rotate('A'.repeat(43), now)).rejects.toThrow(UnauthorizedError);
    await expect(rotate('not a token', now)).rejects.toThrow(UnauthorizedError);
    await expect(rotate('', now)).rejects.toThrow('refresh token is invalid or expired; sign in again');
  });

  it('revokes the family when a rotated token is reused', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);
    const rotated = await rotate(session.refreshToken, new Date(start.getTime() + 1000));

    await expect(rotate(session.refreshToken, new Date(start.getTime() + 10_000))).rejects.toThrow(UnauthorizedError);

    expect(await familyRows(session.familyId)).toEqual([
      { rotated: true, revoked_reason: 'reuse-detected' },
      { rotated: false, revoked_reason: 'reuse-detected' },
    ]);
    await expect(rotate(rotated.refreshToken, new Date(start.getTime() + 11_000))).rejects.toThrow(UnauthorizedError);
    expect(await isSessionActive(database.db, session.familyId, new Date(start.getTime() + 11_000))).toBe(false);
  });

  it('rejects a reuse within the race grace without revoking', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);
    const rotated = await rotate(session.refreshToken, start);

    await expect(rotate(session.refreshToken, new Date(start.getTime() + 1500))).rejects.toThrow(UnauthorizedError);

    expect((await familyRows(session.familyId)).map((row) => row.revoked_reason)).toEqual([null, null]);
    const next = await rotate(rotated.refreshToken, new Date(start.getTime() + 3000));
    expect(next.familyId).toBe(session.familyId);
  });

  it('lets exactly one of two parallel refreshes win', async () => {
    const userId = await createUser();
    const session = await startSession(userId, new Date());
    const tokenHash = createHash('sha256').update(session.refreshToken).digest('hex');
    const gate = openDatabase(database.url, { max: 1, applicationName: 'pm-test-gate' });
    const connections: DatabaseHandle[] = [
      openDatabase(database.url, { max: 1, applicationName: 'pm-test-a' }),
      openDatabase(database.url, { max: 1, applicationName: 'pm-test-b' }),
    ];

    try {
      const now = new Date();
      // A third connection holds the row lock until both refreshes are blocked on it,
      // so they really run at the same time instead of one after the other.
      const { pending } = await gate.sql.begin(async (tx) => {
        await tx`select id from refresh_tokens where token_hash = ${tokenHash} for update`;
        const pending = Promise.allSettled(
          connections.map((connection) => rotate(session.refreshToken, now, { ...ctx, db: connection.db })),
        );
        await waitForLockWaiters(['pm-test-a', 'pm-test-b']);
        // Wrapped, so the transaction commits instead of awaiting the blocked refreshes.
        return { pending };
      });
      const results = await pending;

      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.filter((result) => result.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toBeInstanceOf(UnauthorizedError);

      expect((await familyRows(session.familyId)).map((row) => row.revoked_reason)).toEqual([null, null]);
      const winner = fulfilled[0]!.value;
      const next = await rotate(winner.refreshToken, new Date(now.getTime() + 1000));
      expect(next.familyId).toBe(session.familyId);
    } finally {
      await Promise.all([gate, ...connections].map((connection) => connection.close()));
    }
  });

  it('revokes the family after an hour of inactivity', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);
    const rotated = await rotate(session.refreshToken, new Date(start.getTime() + HOUR_MS - 1000));

    await expect(rotate(rotated.refreshToken, new Date(start.getTime() + 2 * HOUR_MS + 1000))).rejects.toThrow(UnauthorizedError);

    expect((await familyRows(session.familyId)).map((row) => row.revoked_reason)).toEqual(['inactive', 'inactive']);
  });

  it('honours a custom inactivity limit', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);
    const tooLate = new Date(start.getTime() + 301_000);

    await expect(
      rotateRefreshToken(ctx, { token: session.refreshToken, bindingSecret: session.bindingSecret, ...client, inactivitySeconds: 300, now: tooLate }),
    ).rejects.toThrow(UnauthorizedError);
  });

  it('ends the session at its absolute lifetime despite activity', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start, 2 * 3600);

    const first = await rotate(session.refreshToken, new Date(start.getTime() + 50 * 60_000));
    const second = await rotate(first.refreshToken, new Date(start.getTime() + 100 * 60_000));
    expect(second.expiresAt).toEqual(session.expiresAt);

    await expect(rotate(second.refreshToken, new Date(start.getTime() + 121 * 60_000))).rejects.toThrow(UnauthorizedError);
    expect(await isSessionActive(database.db, session.familyId, new Date(start.getTime() + 121 * 60_000))).toBe(false);
  });

  it('passes every outcome to the audit hook', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);
    const events: unknown[] = [];
    const audit = async (tx: Transaction, event: RefreshAuditEvent) => {
      // The hook runs inside the rotation's transaction and sees its uncommitted rows.
      const [row] = await tx.execute<{ count: number }>(
        sql`select count(*)::int as count from refresh_tokens where family_id = ${session.familyId}`,
      );
      events.push({ ...event, rowsInTransaction: row!.count });
    };

    const rotated = await rotateRefreshToken(ctx, { token: session.refreshToken, bindingSecret: session.bindingSecret, ...client, now: start, audit });
    await expect(
      rotateRefreshToken(ctx, { token: session.refreshToken, bindingSecret: session.bindingSecret, ...client, now: new Date(start.getTime() + 10_000), audit }),
    ).rejects.toThrow(UnauthorizedError);
    await expect(
      rotateRefreshToken(ctx, { token: rotated.refreshToken, bindingSecret: session.bindingSecret, ...client, now: new Date(start.getTime() + 11_000), audit }),
    ).rejects.toThrow(UnauthorizedError);
    await expect(rotateRefreshToken(ctx, { token: 'B'.repeat(43), bindingSecret: null, ...client, audit })).rejects.toThrow(UnauthorizedError);

    expect(events).toEqual([
      { outcome: 'rotated', userId, familyId: session.familyId, rowsInTransaction: 2 },
      { outcome: 'revoked', reason: 'reuse-detected', userId, familyId: session.familyId, rowsInTransaction: 2 },
      { outcome: 'rejected', reason: 'revoked', userId, familyId: session.familyId, rowsInTransaction: 2 },
    ]);
  });

  it('rejects running inside a transaction', async () => {
    const userId = await createUser();
    const session = await startSession(userId, new Date());
    await expect(
      database.db.transaction((tx) => rotateRefreshToken({ ...ctx, db: tx as unknown as Context['db'] }, { token: session.refreshToken, bindingSecret: session.bindingSecret, ...client })),
    ).rejects.toThrow('rotateRefreshToken must not run inside a transaction, because a rollback would undo a revocation');
  });

  it('revokes the family of a disabled user', async () => {
    const userId = await createUser();
    const session = await startSession(userId, new Date());
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, userId));

    await expect(rotate(session.refreshToken, new Date())).rejects.toThrow(UnauthorizedError);
    expect((await familyRows(session.familyId)).map((row) => row.revoked_reason)).toEqual(['user-disabled']);
  });

  it('rejects a missing or foreign binding without changes', async () => {
    const userId = await createUser();
    const session = await startSession(userId, new Date());
    const other = await startSession(userId, new Date());
    const events: RefreshAuditEvent[] = [];
    const audit = async (_tx: Transaction, event: RefreshAuditEvent) => {
      events.push(event);
    };

    for (const bindingSecret of [null, other.bindingSecret]) {
      await expect(rotateRefreshToken(ctx, { token: session.refreshToken, bindingSecret, ...client, audit })).rejects.toThrow(UnauthorizedError);
    }

    expect(await familyRows(session.familyId)).toEqual([{ rotated: false, revoked_reason: null }]);
    expect(events.map((event) => event.reason)).toEqual(['binding-missing', 'binding-mismatch']);
  });

  it('rejects a reused token without its binding and keeps the family', async () => {
    const userId = await createUser();
    const start = new Date();
    const session = await startSession(userId, start);
    await rotate(session.refreshToken, start);

    const replay = rotateRefreshToken(ctx, { token: session.refreshToken, bindingSecret: null, ...client, now: new Date(start.getTime() + 10_000) });

    await expect(replay).rejects.toThrow(UnauthorizedError);
    expect((await familyRows(session.familyId)).map((row) => row.revoked_reason)).toEqual([null, null]);
  });

  it('rejects another address when bound to it', async () => {
    const userId = await createUser();
    const session = await startSession(userId, new Date());
    const elsewhere = { ...client, clientAddress: '198.51.100.9', bindingSecret: session.bindingSecret, bindToAddress: true };

    await expect(rotateRefreshToken(ctx, { token: session.refreshToken, ...elsewhere })).rejects.toThrow(UnauthorizedError);
    const unbound = await rotateRefreshToken(ctx, { token: session.refreshToken, ...elsewhere, bindToAddress: false });

    expect(unbound.familyId).toBe(session.familyId);
  });

  it('copies the binding hash to the successor', async () => {
    const userId = await createUser();
    const session = await startSession(userId, new Date());

    const rotated = await rotate(session.refreshToken, new Date());
    const rows = await database.sql<{ binding_hash: string | null }[]>`
      select binding_hash from refresh_tokens where family_id = ${session.familyId} order by created_at, id`;

    expect(rotated.bindingHash).toBe(session.bindingHash);
    expect(rows.map((row) => row.binding_hash)).toEqual([session.bindingHash, session.bindingHash]);
    expect(session.bindingHash).toBe(createHash('sha256').update(session.bindingSecret).digest('base64url'));
  });
});

describe('revokeSession', () => {
  it('ends one session and leaves the others', async () => {
    const userId = await createUser();
    const now = new Date();
    const kept = await startSession(userId, now);
    const ended = await startSession(userId, now);

    expect(await revokeSession(ctx, { familyId: ended.familyId, reason: 'logout' })).toEqual({ revoked: 1 });

    expect(await isSessionActive(database.db, ended.familyId)).toBe(false);
    expect(await isSessionActive(database.db, kept.familyId)).toBe(true);
    await expect(rotate(ended.refreshToken, new Date())).rejects.toThrow(UnauthorizedError);
    expect(await revokeSession(ctx, { familyId: ended.familyId, reason: 'logout' })).toEqual({ revoked: 0 });
  });

  it('rejects a family id that is not a UUID', async () => {
    await expect(revokeSession(ctx, { familyId: 'abc', reason: 'logout' })).rejects.toThrow('familyId: "abc" is not a UUID');
  });
});

describe('revokeUserSessions', () => {
  it('ends every session of one user only', async () => {
    const userId = await createUser();
    const otherUserId = await createUser();
    const now = new Date();
    const first = await startSession(userId, now);
    const second = await startSession(userId, now);
    await rotate(second.refreshToken, new Date(now.getTime() + 1000));
    const other = await startSession(otherUserId, now);

    expect(await revokeUserSessions(ctx, { userId, reason: 'password-change' })).toEqual({ revokedSessions: 2 });

    expect(await isSessionActive(database.db, first.familyId)).toBe(false);
    expect(await isSessionActive(database.db, second.familyId)).toBe(false);
    expect(await isSessionActive(database.db, other.familyId)).toBe(true);
    await expect(rotate(first.refreshToken, new Date())).rejects.toThrow(UnauthorizedError);
    expect((await familyRows(second.familyId)).map((row) => row.revoked_reason)).toEqual(['password-change', 'password-change']);
  });

  it('can keep the session that made the change', async () => {
    const userId = await createUser();
    const now = new Date();
    const current = await startSession(userId, now);
    const elsewhere = await startSession(userId, now);

    expect(await revokeUserSessions(ctx, { userId, reason: 'mfa-change', exceptFamilyId: current.familyId })).toEqual({
      revokedSessions: 1,
    });
    expect(await isSessionActive(database.db, current.familyId)).toBe(true);
    expect(await isSessionActive(database.db, elsewhere.familyId)).toBe(false);
  });
});

describe('isSessionActive', () => {
  it('is false for an unknown or malformed id', async () => {
    expect(await isSessionActive(database.db, '00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(await isSessionActive(database.db, 'not-a-uuid')).toBe(false);
  });
});
