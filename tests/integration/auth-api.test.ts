import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, freshTotpCode, setCookies, signIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// The sign-in API against the real server: first-run setup, the password and
// second-factor steps, sessions, refresh rotation and the role checks.

let database: TestDatabase;
let server: ServerProcess;
let admin: TestUser;

function url(path: string): string {
  return `${server.webUrl}${path}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('first-run setup', () => {
  it('prints a setup token and creates the first Admin once', async () => {
    const token = /Setup token: (pmsetup_[A-Za-z0-9_-]{43})/.exec(server.output())?.[1];
    expect(token).toBeDefined();
    const [usersBefore] = await database.sql`select count(*)::int as n from users`;
    const pageBefore = await requestJson(url('/setup'), { ca: server.caCertPem });

    const wrong = await requestJson(url('/api/v1/auth/setup'), {
      body: { setupToken: `pmsetup_${'A'.repeat(43)}`, username: 'root-admin', password: 'a long enough setup password' },
      ca: server.caCertPem,
    });
    const created = await requestJson(url('/api/v1/auth/setup'), {
      body: { setupToken: token, username: 'root-admin', password: 'a long enough setup password' },
      ca: server.caCertPem,
    });
    const again = await requestJson(url('/api/v1/auth/setup'), {
      body: { setupToken: token, username: 'second-admin', password: 'a long enough setup password' },
      ca: server.caCertPem,
    });
    const page = await requestJson(url('/setup'), { ca: server.caCertPem });
    const [stored] = await database.sql`select count(*)::int as n from settings where key = 'auth.setup_token_hash'`;
    const [count] = await database.sql`select count(*)::int as n from users`;

    expect(usersBefore?.n).toBe(0);
    expect(pageBefore.status).toBe(200);
    expect(wrong.status).toBe(401);
    expect(created.status, created.text).toBe(201);
    expect(again.status).toBe(404);
    expect(page.status).toBe(404);
    expect(stored?.n).toBe(0);
    expect(count?.n).toBe(1);
  });
});

describe('sign-in', () => {
  beforeAll(async () => {
    admin = await createTestUser(database.db, { role: 'admin' });
  });

  it('answers 401 to the API without a token', async () => {
    const response = await requestJson(url('/api/v1/hosts'), { ca: server.caCertPem });

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('issues no access token before the second factor', async () => {
    const response = await requestJson(url('/api/v1/auth/login'), {
      body: { username: admin.username, password: admin.password },
      ca: server.caCertPem,
    });
    const cookies = setCookies(response);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ next: 'mfa', methods: ['totp'] });
    expect(cookies.has('pm_access')).toBe(false);
    expect(cookies.has('pm_refresh')).toBe(false);
    expect(cookies.get('pm_mfa')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives one error for unknown user, wrong password and disabled user', async () => {
    const disabled = await createTestUser(database.db, { role: 'operator' });
    await database.sql`update users set disabled_at = now() where id = ${disabled.id}`;
    const attempts = [
      { username: 'nobody-here', password: 'whatever password' },
      { username: admin.username, password: 'not the password' },
      { username: disabled.username, password: disabled.password },
    ];

    for (const body of attempts) {
      const response = await requestJson(url('/api/v1/auth/login'), { body, ca: server.caCertPem });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: 'username or password is incorrect' } });
    }
  });

  it('sends a user without a factor to enrollment, not to a session', async () => {
    const session = await signIn(server, admin);
    const created = await requestJson(url('/api/v1/users'), {
      body: { username: 'new-operator', password: 'initial password for new op', role: 'operator' },
      authorization: session.bearer,
      ca: server.caCertPem,
    });
    const login = await requestJson(url('/api/v1/auth/login'), {
      body: { username: 'new-operator', password: 'initial password for new op' },
      ca: server.caCertPem,
    });
    const challenge = setCookies(login).get('pm_mfa');
    const factor = await requestJson(url('/api/v1/auth/mfa/totp'), { body: { code: '123456' }, cookie: `pm_mfa=${challenge}`, ca: server.caCertPem });
    const start = await requestJson(url('/api/v1/auth/enroll/totp/start'), { body: {}, cookie: `pm_mfa=${challenge}`, ca: server.caCertPem });

    expect(created.status, created.text).toBe(201);
    expect(login.body).toEqual({ next: 'enroll', methods: ['totp'] });
    expect(factor.status).toBe(401);
    expect(setCookies(factor).has('pm_access')).toBe(false);
    expect(start.status).toBe(200);
    expect((start.body as { secret: string }).secret).toMatch(/^[A-Z2-7]+=*$/);
  });

  it('throttles repeated wrong passwords for one account', async () => {
    const target = await createTestUser(database.db, { role: 'operator' });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await requestJson(url('/api/v1/auth/login'), {
        body: { username: target.username, password: 'wrong password guess' },
        ca: server.caCertPem,
      });
      statuses.push(response.status);
    }
    const blocked = await requestJson(url('/api/v1/auth/login'), {
      body: { username: target.username, password: target.password },
      ca: server.caCertPem,
    });

    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits an unknown account name like a real one', async () => {
    const real = await createTestUser(database.db, { role: 'operator' });
    const blocked = new Map<string, { status: number; body: unknown }>();
    for (const username of [real.username, 'no-such-account']) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await requestJson(url('/api/v1/auth/login'), { body: { username, password: 'wrong password guess' }, ca: server.caCertPem });
        expect(response.status, `${username} attempt ${attempt + 1}`).toBe(401);
      }
      const response = await requestJson(url('/api/v1/auth/login'), { body: { username, password: 'wrong password guess' }, ca: server.caCertPem });
      blocked.set(username, { status: response.status, body: response.body });
    }
    const realBody = blocked.get(real.username)!.body as { error: { code: string; message: string } };
    const unknownBody = blocked.get('no-such-account')!.body as { error: { code: string; message: string } };

    expect(blocked.get(real.username)!.status).toBe(429);
    expect(blocked.get('no-such-account')!.status).toBe(429);
    expect(unknownBody.error.code).toBe(realBody.error.code);
    // The Retry-After seconds in the message may differ by one between the two requests.
    expect(unknownBody.error.message.replace(/\d+/g, 'N')).toBe(realBody.error.message.replace(/\d+/g, 'N'));
    expect(realBody.error.message).not.toContain(real.username);
  });
});

describe('sessions', () => {
  it('accepts the access token as cookie and as Bearer header', async () => {
    const session = await signIn(server, admin);
    const byCookie = await requestJson(url('/api/v1/hosts'), { cookie: session.cookie, ca: server.caCertPem });
    const byBearer = await requestJson(url('/api/v1/hosts'), { authorization: session.bearer, ca: server.caCertPem });

    expect(byCookie.status).toBe(200);
    expect(byBearer.status).toBe(200);
  });

  it('sets the session cookies httpOnly, Secure and SameSite=Strict', async () => {
    const login = await requestJson(url('/api/v1/auth/login'), { body: { username: admin.username, password: admin.password }, ca: server.caCertPem });
    const verified = await requestJson(url('/api/v1/auth/mfa/totp'), {
      body: { code: await freshTotpCode(admin.totpSecret) },
      cookie: `pm_mfa=${setCookies(login).get('pm_mfa')}`,
      ca: server.caCertPem,
    });
    const lines = [verified.headers['set-cookie'] ?? []].flat();
    const line = (name: string) => lines.find((value) => value.startsWith(`${name}=`));

    expect(verified.status, verified.text).toBe(200);
    expect(line('pm_access')).toMatch(/^pm_access=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=(899|900); HttpOnly; Secure; SameSite=Strict$/);
    expect(line('pm_refresh')).toMatch(/^pm_refresh=[\w-]{43}; Path=\/api\/v1\/auth; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('rotates the refresh token and revokes the family on reuse', async () => {
    const session = await signIn(server, admin);
    const bind = `pm_bind=${session.binding}`;
    const first = await requestJson(url('/api/v1/auth/refresh'), { body: {}, cookie: `pm_refresh=${session.refreshToken}; ${bind}`, ca: server.caCertPem });
    const rotated = setCookies(first);
    // Past the grace period for parallel refreshes, a rotated token counts as stolen.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const reuse = await requestJson(url('/api/v1/auth/refresh'), { body: {}, cookie: `pm_refresh=${session.refreshToken}; ${bind}`, ca: server.caCertPem });
    const successor = await requestJson(url('/api/v1/auth/refresh'), { body: {}, cookie: `pm_refresh=${rotated.get('pm_refresh')}; ${bind}`, ca: server.caCertPem });
    const access = await requestJson(url('/api/v1/hosts'), { cookie: `pm_access=${rotated.get('pm_access')}; ${bind}`, ca: server.caCertPem });

    expect(first.status).toBe(200);
    expect(rotated.get('pm_refresh')).not.toBe(session.refreshToken);
    expect(reuse.status).toBe(401);
    expect(setCookies(reuse).get('pm_refresh')).toBe('');
    expect(successor.status).toBe(401);
    expect(access.status).toBe(401);
  });

  it('ends the session on logout', async () => {
    const session = await signIn(server, admin);
    const logout = await requestJson(url('/api/v1/auth/logout'), { body: {}, cookie: `${session.cookie}; pm_refresh=${session.refreshToken}`, ca: server.caCertPem });
    const after = await requestJson(url('/api/v1/hosts'), { authorization: session.bearer, ca: server.caCertPem });
    const refresh = await requestJson(url('/api/v1/auth/refresh'), {
      body: {},
      cookie: `pm_refresh=${session.refreshToken}; pm_bind=${session.binding}`,
      ca: server.caCertPem,
    });

    expect(logout.status).toBe(200);
    expect(setCookies(logout).get('pm_access')).toBe('');
    expect(after.status).toBe(401);
    expect(refresh.status).toBe(401);
  });

  it('revokes other sessions on password change', async () => {
    const user = await createTestUser(database.db, { role: 'operator' });
    const current = await signIn(server, user);
    const other = await signIn(server, user);
    const change = await requestJson(url('/api/v1/account/password'), {
      body: { currentPassword: user.password, newPassword: 'a completely new passphrase' },
      authorization: current.bearer,
      ca: server.caCertPem,
    });
    const otherAfter = await requestJson(url('/api/v1/hosts'), { authorization: other.bearer, ca: server.caCertPem });
    const currentAfter = await requestJson(url('/api/v1/hosts'), { authorization: current.bearer, ca: server.caCertPem });

    expect(change.status, change.text).toBe(200);
    expect(otherAfter.status).toBe(401);
    expect(currentAfter.status).toBe(200);
  });
});

describe('roles', () => {
  it('refuses Admin APIs and pages to an Operator', async () => {
    const operator = await signIn(server, await createTestUser(database.db, { role: 'operator' }));
    const paths = ['/api/v1/users', '/api/v1/reports/audit', '/api/v1/enrollment-tokens'];

    for (const path of paths) {
      const response = await requestJson(url(path), { authorization: operator.bearer, ca: server.caCertPem });
      expect(response.status, path).toBe(403);
    }
    const page = await requestJson(url('/admin/users'), { cookie: operator.cookie, ca: server.caCertPem });
    expect(page.status).toBe(404);
  });

  it('applies a role change on the next request', async () => {
    const changer = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
    const subject = await createTestUser(database.db, { role: 'admin' });
    const session = await signIn(server, subject);
    const before = await requestJson(url('/api/v1/users'), { authorization: session.bearer, ca: server.caCertPem });
    const change = await requestJson(url(`/api/v1/users/${subject.id}`), {
      method: 'PATCH',
      body: { role: 'operator' },
      authorization: changer.bearer,
      ca: server.caCertPem,
    });
    const after = await requestJson(url('/api/v1/users'), { authorization: session.bearer, ca: server.caCertPem });

    expect(before.status).toBe(200);
    expect(change.status, change.text).toBe(204);
    expect(after.status).toBe(403);
  });

  it('refuses a disabled user at once', async () => {
    const changer = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
    const subject = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, subject);
    const disable = await requestJson(url(`/api/v1/users/${subject.id}`), {
      method: 'PATCH',
      body: { disabled: true },
      authorization: changer.bearer,
      ca: server.caCertPem,
    });
    const after = await requestJson(url('/api/v1/hosts'), { authorization: session.bearer, ca: server.caCertPem });

    expect(disable.status).toBe(204);
    expect(after.status).toBe(401);
  });
});

describe('page gate', () => {
  it('sends a page request without a session to the sign-in page', async () => {
    const page = await requestJson(url('/hosts'), { ca: server.caCertPem });
    const resume = await requestJson(url('/api/v1/auth/resume?returnTo=%2Fhosts'), { ca: server.caCertPem });

    expect(page.status).toBe(303);
    expect(new URL(page.headers.location as string, server.webUrl).toString()).toBe(`${server.webUrl}/api/v1/auth/resume?returnTo=%2Fhosts`);
    expect(resume.status).toBe(303);
    expect(resume.headers.location).toBe(`${server.webUrl}/login?returnTo=%2Fhosts`);
  });

  it.each(['//evil.test/x', '/\\evil.test', 'https://evil.test/', '/\t/evil.test', 'javascript:alert(1)'])(
    'refuses the returnTo %s',
    async (returnTo) => {
      const resume = await requestJson(url(`/api/v1/auth/resume?returnTo=${encodeURIComponent(returnTo)}`), { ca: server.caCertPem });

      expect(resume.status).toBe(303);
      expect(new URL(resume.headers.location as string).origin).toBe(server.webUrl);
      expect(resume.headers.location).not.toContain('evil');
    },
  );
});
