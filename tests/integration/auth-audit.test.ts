import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt, totpStep } from '@/lib/auth/mfa/totp-code';
import { hashBindingSecret } from '@/lib/auth/session-binding';
import { hashRefreshToken } from '@/lib/auth/session-tokens';
import { createTestUser, setCookies, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Audit rows of sign-in and user management, written by the real server: each
// event writes exactly one row with the expected actor and target, and no row
// carries a password, token, code, secret or hash used in the test.

let database: TestDatabase;
let server: ServerProcess;
let admin: TestUser;
let adminSession: SignedIn;

interface AuditRow {
  id: number;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string;
  client_address: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

function url(path: string): string {
  return `${server.webUrl}${path}`;
}

function call(path: string, options: { method?: string; body?: unknown; session?: SignedIn; cookie?: string } = {}): Promise<JsonResponse> {
  return requestJson(url(path), {
    method: options.method,
    body: options.body,
    authorization: options.session?.bearer,
    cookie: options.cookie,
    ca: server.caCertPem,
  });
}

async function lastAuditId(): Promise<number> {
  const [row] = await database.sql<{ id: string | null }[]>`select max(id)::text as id from audit_log`;
  return Number(row?.id ?? 0);
}

/** Rows of one action written after `since`. */
async function auditRows(action: string, since: number): Promise<AuditRow[]> {
  return database.sql<AuditRow[]>`
    select id::int as id, actor_kind, actor_id, actor_label, client_address, action, target_kind, target_id, details
    from audit_log where action = ${action} and id > ${since} order by id`;
}

/** Returns every string and number inside a JSON value, as strings. */
function leafValues(value: unknown): string[] {
  if (typeof value === 'string' || typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (value && typeof value === 'object') return Object.values(value).flatMap(leafValues);
  return [];
}

/** TOTP codes of the steps around now, which a sign-in in this test may have used. */
async function recentCodes(secret: string): Promise<string[]> {
  const step = totpStep(new Date());
  return Promise.all([-2, -1, 0, 1, 2].map((offset) => totpAt(secret, new Date((step + offset) * 30_000))));
}

/** Returns the user's password hash and the hash of every refresh token the database holds for them. */
async function storedHashes(userId: string): Promise<string[]> {
  const [user] = await database.sql<{ password_hash: string | null }[]>`select password_hash from users where id = ${userId}`;
  const tokens = await database.sql<{ token_hash: string }[]>`select token_hash from refresh_tokens where user_id = ${userId}`;
  return [user?.password_hash ?? '', ...tokens.map((row) => row.token_hash)].filter(Boolean);
}

/**
 * Asserts that no row contains any of `secrets` anywhere and that no value in its
 * details equals one of `codes` (short values such as TOTP codes, compared whole).
 */
function expectNoSecrets(rows: AuditRow[], secrets: string[], codes: string[] = []): void {
  for (const row of rows) {
    const text = JSON.stringify(row);
    for (const secret of secrets) {
      expect(text.includes(secret), `${row.action} row ${row.id} contains a secret used in the test`).toBe(false);
    }
    const values = leafValues(row.details);
    for (const code of codes) {
      expect(values.includes(code), `${row.action} row ${row.id} contains a code used in the test`).toBe(false);
    }
  }
}

function sessionSecrets(session: SignedIn): string[] {
  return [session.accessToken, session.refreshToken, hashRefreshToken(session.refreshToken), session.binding, hashBindingSecret(session.binding)];
}

async function userSecrets(user: TestUser): Promise<string[]> {
  return [user.password, user.totpSecret, ...(await storedHashes(user.id))];
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await createTestUser(database.db, { role: 'admin' });
  adminSession = await signIn(server, admin);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('sign-in audit rows', () => {
  it('auth.login: one row per sign-in', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const since = await lastAuditId();

    const session = await signIn(server, user);
    const rows = await auditRows('auth.login', since);

    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: user.id, client_address: '127.0.0.1', target_kind: 'user', target_id: user.id });
    expect(rows[0]?.details).toMatchObject({ method: 'totp' });
    expectNoSecrets(rows, [...sessionSecrets(session), ...(await userSecrets(user))], await recentCodes(user.totpSecret));
  });

  it('auth.mfa_verify: one row per second factor', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const since = await lastAuditId();

    const session = await signIn(server, user);
    const rows = await auditRows('auth.mfa_verify', since);

    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'console', client_address: '127.0.0.1', target_kind: 'user', target_id: user.id });
    expect(rows[0]?.details).toEqual({ method: 'totp', outcome: 'success' });
    expectNoSecrets(rows, [...sessionSecrets(session), ...(await userSecrets(user))], await recentCodes(user.totpSecret));
  });

  it('auth.login_failed: one row per wrong password', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const wrongPassword = 'a wrong password guess 7f3a';
    const since = await lastAuditId();

    const response = await call('/api/v1/auth/login', { body: { username: user.username, password: wrongPassword } });
    const rows = await auditRows('auth.login_failed', since);

    expect(response.status).toBe(401);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'console', client_address: '127.0.0.1', target_kind: 'user', target_id: user.id });
    expect(rows[0]?.details).toMatchObject({ username: user.username, reason: 'wrong_password' });
    expectNoSecrets(rows, [wrongPassword, ...(await userSecrets(user))]);
  });

  it('auth.login_failed: an unknown name is not stored', async () => {
    // Someone typing their password into the username field.
    const typedName = 'my-secret-passphrase-typed-here';
    const since = await lastAuditId();

    const response = await call('/api/v1/auth/login', { body: { username: typedName, password: 'anything at all here' } });
    const rows = await auditRows('auth.login_failed', since);

    expect(response.status).toBe(401);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target_kind: null, target_id: null });
    expect(rows[0]?.details).toEqual({ unknownUsernameLength: typedName.length, reason: 'unknown_user', step: 'password' });
    expectNoSecrets(rows, [typedName]);
  });

  it('auth.logout: one row naming the user', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);
    const since = await lastAuditId();

    const response = await call('/api/v1/auth/logout', { body: {}, cookie: `${session.cookie}; pm_refresh=${session.refreshToken}` });
    const rows = await auditRows('auth.logout', since);

    expect(response.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: user.id, target_kind: 'user', target_id: user.id });
    expectNoSecrets(rows, [...sessionSecrets(session), ...(await userSecrets(user))]);
  });

  it('auth.logout with only the refresh cookie names the user', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);
    const since = await lastAuditId();

    const response = await call('/api/v1/auth/logout', { body: {}, cookie: `pm_refresh=${session.refreshToken}` });
    const rows = await auditRows('auth.logout', since);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ revokedSessions: 1 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'console', target_kind: 'user', target_id: user.id });
    expectNoSecrets(rows, [...sessionSecrets(session), ...(await userSecrets(user))]);
  });

  it('auth.refresh: one row per rotation', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);
    const since = await lastAuditId();

    const response = await call('/api/v1/auth/refresh', { body: {}, cookie: `pm_refresh=${session.refreshToken}; pm_bind=${session.binding}` });
    const rotated = setCookies(response);
    const rows = await auditRows('auth.refresh', since);

    expect(response.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'console', client_address: '127.0.0.1', target_kind: 'user', target_id: user.id });
    expect(rows[0]?.details).toMatchObject({ outcome: 'rotated' });
    const successor = rotated.get('pm_refresh') ?? '';
    expectNoSecrets(rows, [...sessionSecrets(session), successor, hashRefreshToken(successor), rotated.get('pm_access') ?? '', ...(await userSecrets(user))]);
  });

  it('auth.mfa_enroll: one row for the first factor', async () => {
    const username = 'first-factor-user';
    const password = 'an initial password for enrollment';
    const created = await call('/api/v1/users', { body: { username, password, role: 'operator' }, session: adminSession });
    const userId = (created.body as { id: string }).id;
    const login = await call('/api/v1/auth/login', { body: { username, password } });
    const challenge = setCookies(login).get('pm_mfa') ?? '';
    const start = await call('/api/v1/auth/enroll/totp/start', { body: {}, cookie: `pm_mfa=${challenge}` });
    const secret = (start.body as { secret: string }).secret;
    const code = await totpAt(secret, new Date());
    const since = await lastAuditId();

    const confirm = await call('/api/v1/auth/enroll/totp/confirm', { body: { code }, cookie: `pm_mfa=${challenge}` });
    const recoveryCodes = (confirm.body as { recoveryCodes: string[] }).recoveryCodes;
    const cookies = setCookies(confirm);
    const rows = await auditRows('auth.mfa_enroll', since);

    expect(confirm.status, confirm.text).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'console', target_kind: 'user', target_id: userId });
    expect(rows[0]?.details).toMatchObject({ method: 'totp', recoveryCodeCount: 10 });
    const allRows = [...rows, ...(await auditRows('auth.login', since))];
    expectNoSecrets(
      allRows,
      [password, secret, challenge, cookies.get('pm_access') ?? '', cookies.get('pm_refresh') ?? '', ...recoveryCodes, ...(await storedHashes(userId))],
      [code],
    );
  });
});

describe('user management audit rows', () => {
  it('user.create: one row naming the new user', async () => {
    const password = 'initial password of a created user';
    const since = await lastAuditId();

    const created = await call('/api/v1/users', { body: { username: 'audited-new-user', password, role: 'operator' }, session: adminSession });
    const userId = (created.body as { id: string }).id;
    const rows = await auditRows('user.create', since);

    expect(created.status, created.text).toBe(201);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: admin.id, target_kind: 'user', target_id: userId });
    expect(rows[0]?.details).toEqual({ username: 'audited-new-user', role: 'operator' });
    expectNoSecrets(rows, [password, ...(await storedHashes(userId)), ...sessionSecrets(adminSession)]);
  });

  it('user.disable: one row naming the user', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const since = await lastAuditId();

    const response = await call(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { disabled: true }, session: adminSession });
    const rows = await auditRows('user.disable', since);

    expect(response.status, response.text).toBe(204);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: admin.id, target_kind: 'user', target_id: user.id });
    expect(await auditRows('user.role_change', since)).toHaveLength(0);
    expectNoSecrets(rows, [...(await userSecrets(user)), ...sessionSecrets(adminSession)]);
  });

  it('user.role_change: one row with old and new role', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const since = await lastAuditId();

    const response = await call(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { role: 'admin' }, session: adminSession });
    const rows = await auditRows('user.role_change', since);

    expect(response.status, response.text).toBe(204);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: admin.id, target_kind: 'user', target_id: user.id });
    expect(rows[0]?.details).toMatchObject({ from: 'operator', to: 'admin' });
    expect(await auditRows('user.disable', since)).toHaveLength(0);
    expectNoSecrets(rows, [...(await userSecrets(user)), ...sessionSecrets(adminSession)]);
  });

  it('user.mfa_reset: one row naming the user', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const secrets = await userSecrets(user);
    const since = await lastAuditId();

    const response = await call(`/api/v1/users/${user.id}/mfa-reset`, { body: {}, session: adminSession });
    const rows = await auditRows('user.mfa_reset', since);

    expect(response.status, response.text).toBe(204);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: admin.id, target_kind: 'user', target_id: user.id });
    expect(rows[0]?.details).toMatchObject({ authenticatorAppRemoved: true });
    expectNoSecrets(rows, [...secrets, ...sessionSecrets(adminSession)]);
  });

  it('user.password_change: one row by the user', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, user);
    const oldSecrets = await userSecrets(user);
    const newPassword = 'the replacement passphrase for audit';
    const since = await lastAuditId();

    const response = await call('/api/v1/account/password', { body: { currentPassword: user.password, newPassword }, session });
    const rows = await auditRows('user.password_change', since);

    expect(response.status, response.text).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: user.id, target_kind: 'user', target_id: user.id });
    expectNoSecrets(rows, [newPassword, ...oldSecrets, ...(await storedHashes(user.id)), ...sessionSecrets(session)]);
  });
});
