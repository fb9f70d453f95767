import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, freshTotpCode, setCookies, signedInFrom, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { SoftAuthenticator } from '../helpers/soft-authenticator';

// User management by Admins and each user's own account (password and second
// factors) against the real server: the last-Admin guard, the password policy,
// disabling, MFA reset, and which sessions survive each change.

let database: TestDatabase;
let server: ServerProcess;

function url(path: string): string {
  return `${server.webUrl}${path}`;
}

function call(path: string, options: { method?: string; body?: unknown; session?: SignedIn } = {}): Promise<JsonResponse> {
  return requestJson(url(path), {
    method: options.method,
    body: options.body,
    authorization: options.session?.bearer,
    ca: server.caCertPem,
  });
}

/** Status of an authenticated request with the session's access token; 401 once the session ends. */
async function accessStatus(session: SignedIn): Promise<number> {
  return (await call('/api/v1/account', { session })).status;
}

function refresh(session: SignedIn): Promise<JsonResponse> {
  return requestJson(url('/api/v1/auth/refresh'), { body: {}, cookie: `pm_refresh=${session.refreshToken}; pm_bind=${session.binding}`, ca: server.caCertPem });
}

/** Disables every other active Admin, so `adminId` is the last active one. */
async function keepOnlyActiveAdmin(adminId: string): Promise<void> {
  await database.sql`update users set disabled_at = now() where role = 'admin' and disabled_at is null and id <> ${adminId}`;
}

async function storedUser(id: string): Promise<{ role: string; disabled: boolean; passwordHash: string | null }> {
  const [row] = await database.sql<{ role: string; disabled: boolean; password_hash: string | null }[]>`
    select role, disabled_at is not null as disabled, password_hash from users where id = ${id}`;
  return { role: row!.role, disabled: row!.disabled, passwordHash: row!.password_hash };
}

function passwordLogin(user: { username: string; password: string }): Promise<JsonResponse> {
  return requestJson(url('/api/v1/auth/login'), { body: { username: user.username, password: user.password }, ca: server.caCertPem });
}

/** Registers a security key for the signed-in user through the account API, as the browser would. */
async function addSecurityKey(session: SignedIn, currentPassword: string): Promise<{ authenticator: SoftAuthenticator; response: JsonResponse }> {
  const options = await call('/api/v1/account/webauthn/options', { body: {}, session });
  expect(options.status, options.text).toBe(200);
  const authenticator = new SoftAuthenticator();
  const credential = authenticator.createCredential({
    challenge: (options.body as { challenge: string }).challenge,
    origin: new URL(server.webUrl).origin,
    rpId: 'localhost',
  });
  const response = await call('/api/v1/account/webauthn', { body: { response: credential, name: 'test key', currentPassword }, session });
  return { authenticator, response };
}

/** Signs in with the password and a security key assertion. */
async function signInWithKey(user: TestUser, authenticator: SoftAuthenticator): Promise<SignedIn> {
  const login = await passwordLogin(user);
  expect(login.status, login.text).toBe(200);
  const challenge = `pm_mfa=${setCookies(login).get('pm_mfa')}`;
  const options = await requestJson(url('/api/v1/auth/mfa/webauthn/options'), { body: {}, cookie: challenge, ca: server.caCertPem });
  expect(options.status, options.text).toBe(200);
  const assertion = authenticator.getAssertion({
    challenge: (options.body as { challenge: string }).challenge,
    origin: new URL(server.webUrl).origin,
    rpId: 'localhost',
  });
  const verified = await requestJson(url('/api/v1/auth/mfa/webauthn/verify'), { body: { response: assertion }, cookie: challenge, ca: server.caCertPem });
  expect(verified.status, verified.text).toBe(200);
  return signedInFrom(setCookies(verified));
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('last active Admin', () => {
  it('cannot disable themselves', async () => {
    const admin = await createTestUser(database.db, { role: 'admin' });
    const session = await signIn(server, admin);
    await keepOnlyActiveAdmin(admin.id);

    const response = await call(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { disabled: true }, session });

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: { code: 'conflict' } });
    expect((response.body as { error: { message: string } }).error.message).toContain('last active Admin');
    expect((await storedUser(admin.id)).disabled).toBe(false);
    expect(await accessStatus(session)).toBe(200);
  });

  it('cannot demote themselves', async () => {
    const admin = await createTestUser(database.db, { role: 'admin' });
    const session = await signIn(server, admin);
    await keepOnlyActiveAdmin(admin.id);

    const response = await call(`/api/v1/users/${admin.id}`, { method: 'PATCH', body: { role: 'operator' }, session });

    expect(response.status).toBe(409);
    expect((await storedUser(admin.id)).role).toBe('admin');
  });

  it('one of two Admins can be demoted', async () => {
    const first = await createTestUser(database.db, { role: 'admin' });
    await keepOnlyActiveAdmin(first.id);
    const second = await createTestUser(database.db, { role: 'admin' });
    const session = await signIn(server, first);

    const demote = await call(`/api/v1/users/${second.id}`, { method: 'PATCH', body: { role: 'operator' }, session });
    const demoteSelf = await call(`/api/v1/users/${first.id}`, { method: 'PATCH', body: { role: 'operator' }, session });
    const disableSelf = await call(`/api/v1/users/${first.id}`, { method: 'PATCH', body: { disabled: true }, session });

    expect(demote.status, demote.text).toBe(204);
    expect((await storedUser(second.id)).role).toBe('operator');
    expect(demoteSelf.status).toBe(409);
    expect(disableSelf.status).toBe(409);
    expect(await storedUser(first.id)).toMatchObject({ role: 'admin', disabled: false });
  });

  it('two Admins disabling each other: one wins', async () => {
    const first = await createTestUser(database.db, { role: 'admin' });
    await keepOnlyActiveAdmin(first.id);
    const second = await createTestUser(database.db, { role: 'admin' });
    const [firstSession, secondSession] = await Promise.all([signIn(server, first), signIn(server, second)]);

    const responses = await Promise.all([
      call(`/api/v1/users/${second.id}`, { method: 'PATCH', body: { disabled: true }, session: firstSession }),
      call(`/api/v1/users/${first.id}`, { method: 'PATCH', body: { disabled: true }, session: secondSession }),
    ]);
    const [active] = await database.sql<{ n: number }[]>`select count(*)::int as n from users where role = 'admin' and disabled_at is null`;

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses[0]).toBe(204);
    // The loser either lost its own access first (401) or hit the last-Admin guard (409).
    expect([401, 409]).toContain(statuses[1]);
    expect(active?.n).toBe(1);
  });
});

describe('user creation', () => {
  it.each([
    ['too short', 'short words'],
    ['on the common list', 'password123456'],
    ['containing the username', 'weak-pw-user and more words'],
  ])('rejects a password %s', async (_case, password) => {
    const admin = await createTestUser(database.db, { role: 'admin' });
    const session = await signIn(server, admin);

    const response = await call('/api/v1/users', { body: { username: 'weak-pw-user', password, role: 'operator' }, session });
    const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from users where username = 'weak-pw-user'`;

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', field: 'password' } });
    expect((response.body as { error: { message: string } }).error.message).toMatch(/^password: /);
    expect(row?.n).toBe(0);
  });
});

describe('disabled user', () => {
  it('cannot sign in', async () => {
    const admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);

    const disable = await call(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { disabled: true }, session: admin });
    const login = await passwordLogin(user);
    const renewed = await refresh(session);

    expect(disable.status, disable.text).toBe(204);
    expect(login.status).toBe(401);
    expect(login.body).toEqual({ error: { code: 'unauthorized', message: 'username or password is incorrect' } });
    expect(setCookies(login).has('pm_mfa')).toBe(false);
    expect(renewed.status).toBe(401);
  });
});

describe('MFA reset', () => {
  it('sends the user to enrollment and ends sessions', async () => {
    const admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);

    const reset = await call(`/api/v1/users/${user.id}/mfa-reset`, { body: {}, session: admin });
    const access = await accessStatus(session);
    const renewed = await refresh(session);
    const login = await passwordLogin(user);
    const [factors] = await database.sql<{ n: number }[]>`select count(*)::int as n from mfa_totp where user_id = ${user.id}`;

    expect(reset.status, reset.text).toBe(204);
    expect(access).toBe(401);
    expect(renewed.status).toBe(401);
    expect(login.body).toEqual({ next: 'enroll', methods: ['totp'] });
    expect(factors?.n).toBe(0);
  });

  it('is refused to an Operator', async () => {
    const operator = await signIn(server, await createTestUser(database.db, { role: 'operator' }));
    const user = await createTestUser(database.db, { role: 'operator' });

    const reset = await call(`/api/v1/users/${user.id}/mfa-reset`, { body: {}, session: operator });
    const [factors] = await database.sql<{ n: number }[]>`select count(*)::int as n from mfa_totp where user_id = ${user.id}`;

    expect(reset.status).toBe(403);
    expect(factors?.n).toBe(1);
  });
});

describe('account second factors', () => {
  it('refuses removing the last factor', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const other = await signIn(server, user);

    const removal = await call('/api/v1/account/totp', { method: 'DELETE', body: { currentPassword: user.password }, session: current });
    const [factors] = await database.sql<{ n: number }[]>`select count(*)::int as n from mfa_totp where user_id = ${user.id}`;

    expect(removal.status).toBe(409);
    expect((removal.body as { error: { message: string } }).error.message).toContain('last second factor');
    expect(factors?.n).toBe(1);
    expect(await accessStatus(other)).toBe(200);
  });

  it('parallel removal of both factors keeps one', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);
    const { response: added } = await addSecurityKey(session, user.password);
    const credentialId = (added.body as { id: string }).id;

    const responses = await Promise.all([
      call('/api/v1/account/totp', { method: 'DELETE', body: { currentPassword: user.password }, session }),
      call(`/api/v1/account/webauthn/${encodeURIComponent(credentialId)}`, { method: 'DELETE', body: { currentPassword: user.password }, session }),
    ]);
    const [totp] = await database.sql<{ n: number }[]>`select count(*)::int as n from mfa_totp where user_id = ${user.id}`;
    const [keys] = await database.sql<{ n: number }[]>`select count(*)::int as n from webauthn_credentials where user_id = ${user.id}`;

    expect(added.status, added.text).toBe(201);
    expect(responses.map((response) => response.status).sort()).toEqual([204, 409]);
    expect((totp?.n ?? 0) + (keys?.n ?? 0)).toBe(1);
  });

  it('adding a security key ends other sessions', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const other = await signIn(server, user);

    const { authenticator, response } = await addSecurityKey(current, user.password);

    expect(response.status, response.text).toBe(201);
    expect(await accessStatus(other)).toBe(401);
    expect((await refresh(other)).status).toBe(401);
    expect(await accessStatus(current)).toBe(200);
    expect(await accessStatus(await signInWithKey(user, authenticator))).toBe(200);
  });

  it('replacing the authenticator app ends other sessions', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const { authenticator } = await addSecurityKey(current, user.password);
    const beforeRemoval = await signIn(server, user);

    const removal = await call('/api/v1/account/totp', { method: 'DELETE', body: { currentPassword: user.password }, session: current });
    const afterRemoval = { other: await accessStatus(beforeRemoval), current: await accessStatus(current) };
    const beforeEnroll = await signInWithKey(user, authenticator);
    const start = await call('/api/v1/account/totp/start', { body: {}, session: current });
    const secret = (start.body as { secret: string }).secret;
    const confirm = await call('/api/v1/account/totp/confirm', { body: { code: await freshTotpCode(secret), currentPassword: user.password }, session: current });

    expect(removal.status, removal.text).toBe(204);
    expect(afterRemoval).toEqual({ other: 401, current: 200 });
    expect(start.status, start.text).toBe(200);
    expect(secret).not.toBe(user.totpSecret);
    expect(confirm.status, confirm.text).toBe(204);
    expect(await accessStatus(beforeEnroll)).toBe(401);
    expect(await accessStatus(current)).toBe(200);
    expect(await accessStatus(await signIn(server, { ...user, totpSecret: secret }))).toBe(200);
  });

  it('regenerating recovery codes ends other sessions', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const other = await signIn(server, user);

    const response = await call('/api/v1/account/recovery-codes', { body: { currentPassword: user.password }, session: current });
    const codes = (response.body as { recoveryCodes: string[] }).recoveryCodes;
    const login = await passwordLogin(user);
    const recovered = await requestJson(url('/api/v1/auth/mfa/recovery'), {
      body: { code: codes[0] },
      cookie: `pm_mfa=${setCookies(login).get('pm_mfa')}`,
      ca: server.caCertPem,
    });

    expect(response.status, response.text).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(new Set(codes).size).toBe(10);
    expect(await accessStatus(other)).toBe(401);
    expect(await accessStatus(current)).toBe(200);
    expect(recovered.status, recovered.text).toBe(200);
  });
});

describe('password change', () => {
  it('requires the current password', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const other = await signIn(server, user);
    const before = await storedUser(user.id);

    const change = await call('/api/v1/account/password', {
      body: { currentPassword: 'not the current password', newPassword: 'a completely new passphrase' },
      session: current,
    });

    expect(change.status).toBe(401);
    expect(change.body).toMatchObject({ error: { code: 'unauthorized', field: 'currentPassword' } });
    expect((await storedUser(user.id)).passwordHash).toBe(before.passwordHash);
    expect(await accessStatus(other)).toBe(200);
  });

  it('keeps the current session and ends the others', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const other = await signIn(server, user);
    const newPassword = 'a completely new passphrase';

    const change = await call('/api/v1/account/password', { body: { currentPassword: user.password, newPassword }, session: current });

    expect(change.status, change.text).toBe(200);
    expect(change.body).toEqual({ revokedSessions: 1 });
    expect(await accessStatus(other)).toBe(401);
    expect((await refresh(other)).status).toBe(401);
    expect(await accessStatus(current)).toBe(200);
    expect((await refresh(current)).status).toBe(200);
    expect((await passwordLogin(user)).status).toBe(401);
    expect((await passwordLogin({ username: user.username, password: newPassword })).status).toBe(200);
  });

  it('rejects a weak new password', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);

    const change = await call('/api/v1/account/password', { body: { currentPassword: user.password, newPassword: 'password123456' }, session: current });

    expect(change.status).toBe(400);
    expect(change.body).toMatchObject({ error: { code: 'invalid_input', field: 'password' } });
  });
});
