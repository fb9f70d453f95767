import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, freshTotpCode, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { SoftAuthenticator } from '../helpers/soft-authenticator';

// Second-factor changes through the account API against the real server. Each one
// needs the current password, or for a user without one a sign-in from the last
// 5 minutes. A rejected change leaves the factors and the other sessions as they were.

let database: TestDatabase;
let server: ServerProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

function call(path: string, options: { method?: string; body?: unknown; session: SignedIn }): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${path}`, {
    method: options.method,
    body: options.body,
    authorization: options.session.bearer,
    ca: server.caCertPem,
  });
}

/** Everything a factor change could alter: factor rows, recovery code hashes, and whether the user's other session works. */
async function factorState(user: TestUser, other: SignedIn) {
  const [totp] = await database.sql<{ secret: string | null; confirmed: boolean | null }[]>`
    select secret, confirmed_at is not null as confirmed from mfa_totp where user_id = ${user.id}`;
  const keys = await database.sql<{ id: string }[]>`select id from webauthn_credentials where user_id = ${user.id} order by id`;
  const codes = await database.sql<{ code_hash: string }[]>`select code_hash from recovery_codes where user_id = ${user.id} order by code_hash`;
  const otherSession = (await call('/api/v1/account', { session: other })).status;
  return { totp, keys: keys.map((row) => row.id), codes: codes.map((row) => row.code_hash), otherSession };
}

/** Creates the WebAuthn registration response of a new software key for the session's user. */
async function keyRegistration(session: SignedIn): Promise<Record<string, unknown>> {
  const options = await call('/api/v1/account/webauthn/options', { body: {}, session });
  expect(options.status, options.text).toBe(200);
  return new SoftAuthenticator().createCredential({
    challenge: (options.body as { challenge: string }).challenge,
    origin: new URL(server.webUrl).origin,
    rpId: 'localhost',
  }) as unknown as Record<string, unknown>;
}

/** A factor change: `prepare` sets up what the change needs and returns the request, which sends `confirmation` in its body. */
interface FactorChange {
  name: string;
  prepare(session: SignedIn, user: TestUser): Promise<(confirmation: Record<string, unknown>) => Promise<JsonResponse>>;
}

const changes: FactorChange[] = [
  {
    name: 'removing the authenticator app',
    prepare: async (session) => (confirmation) => call('/api/v1/account/totp', { method: 'DELETE', body: confirmation, session }),
  },
  {
    name: 'adding an authenticator app',
    async prepare(session, user) {
      // Only a user without a confirmed app can start one; the security key stays as a factor.
      await database.sql`delete from mfa_totp where user_id = ${user.id}`;
      const start = await call('/api/v1/account/totp/start', { body: {}, session });
      expect(start.status, start.text).toBe(200);
      const secret = (start.body as { secret: string }).secret;
      return async (confirmation) => call('/api/v1/account/totp/confirm', { body: { code: await freshTotpCode(secret), ...confirmation }, session });
    },
  },
  {
    name: 'adding a security key',
    async prepare(session) {
      const registration = await keyRegistration(session);
      return (confirmation) => call('/api/v1/account/webauthn', { body: { response: registration, name: 'key', ...confirmation }, session });
    },
  },
  {
    name: 'removing a security key',
    async prepare(session, user) {
      const [key] = await database.sql<{ id: string }[]>`select id from webauthn_credentials where user_id = ${user.id} limit 1`;
      return (confirmation) => call(`/api/v1/account/webauthn/${encodeURIComponent(key!.id)}`, { method: 'DELETE', body: confirmation, session });
    },
  },
  {
    name: 'regenerating recovery codes',
    prepare: async (session) => (confirmation) => call('/api/v1/account/recovery-codes', { body: confirmation, session }),
  },
];

/** A user with TOTP, one security key and recovery codes, and two sessions: the one that sends the change and another one. */
async function userWithFactors(): Promise<{ user: TestUser; session: SignedIn; other: SignedIn }> {
  const user = await createTestUser(database.db, { role: 'operator' });
  const session = await signIn(server, user);
  const added = await call('/api/v1/account/webauthn', {
    body: { response: await keyRegistration(session), name: 'first key', currentPassword: user.password },
    session,
  });
  expect(added.status, added.text).toBe(201);
  const codes = await call('/api/v1/account/recovery-codes', { body: { currentPassword: user.password }, session });
  expect(codes.status, codes.text).toBe(200);
  const other = await signIn(server, user);
  return { user, session, other };
}

function errorOf(response: JsonResponse): { message?: string; field?: string } {
  return (response.body as { error?: { message?: string; field?: string } } | null)?.error ?? {};
}

describe('factor changes need the current password', () => {
  for (const change of changes) {
    it(`refuses ${change.name} without it`, async () => {
      const { user, session, other } = await userWithFactors();
      const send = await change.prepare(session, user);
      const before = await factorState(user, other);

      const response = await send({});

      expect(response.status, response.text).toBe(400);
      expect(errorOf(response).field).toBe('currentPassword');
      expect(errorOf(response).message).toMatch(/^currentPassword: required/);
      expect(await factorState(user, other)).toEqual(before);
    });

    it(`refuses ${change.name} with a wrong one`, async () => {
      const { user, session, other } = await userWithFactors();
      const send = await change.prepare(session, user);
      const before = await factorState(user, other);

      const response = await send({ currentPassword: `${user.password} but wrong` });

      expect(response.status, response.text).toBe(403);
      expect(errorOf(response).field).toBe('currentPassword');
      expect(errorOf(response).message).toMatch(/^currentPassword: incorrect/);
      expect(await factorState(user, other)).toEqual(before);
    });
  }

  it('regenerates recovery codes with the right one', async () => {
    const { user, session, other } = await userWithFactors();
    const before = await factorState(user, other);

    const response = await call('/api/v1/account/recovery-codes', { body: { currentPassword: user.password }, session });
    const after = await factorState(user, other);

    expect(response.status, response.text).toBe(200);
    expect(after.codes).toHaveLength(10);
    expect(after.codes).not.toEqual(before.codes);
    expect(after.otherSession).toBe(401);
  });
});

describe('factor changes without a local password', () => {
  it('accepts a sign-in from the last 5 minutes', async () => {
    const { user, session } = await userWithFactors();
    await database.sql`update users set password_hash = null where id = ${user.id}`;

    const response = await call('/api/v1/account/recovery-codes', { body: {}, session });

    expect(response.status, response.text).toBe(200);
  });

  it('refuses a sign-in older than 5 minutes', async () => {
    const { user, session, other } = await userWithFactors();
    await database.sql`update users set password_hash = null where id = ${user.id}`;
    await database.sql`update refresh_tokens set created_at = now() - interval '6 minutes' where user_id = ${user.id}`;
    const before = await factorState(user, other);

    const response = await call('/api/v1/account/recovery-codes', { body: {}, session });

    expect(response.status, response.text).toBe(403);
    expect(errorOf(response).field).toBe('currentPassword');
    expect(errorOf(response).message).toContain('sign in again');
    expect(await factorState(user, other)).toEqual(before);
  });
});
