import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBindingSecret } from '@/lib/auth/session-binding';
import { hashRefreshToken } from '@/lib/auth/session-tokens';
import { createTestUser, freshTotpCode, setCookies, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Session binding against the real server: an access or refresh token works only
// together with its session's binding secret (pm_bind cookie or X-PM-Binding header),
// and with auth.bind_sessions_to_address only from the address it was issued to.
// The second server runs with address binding on; requests from 127.0.0.2 reach the
// servers on 127.0.0.1 over the loopback interface.

interface Deployment {
  database: TestDatabase;
  server: ServerProcess;
}

let unbound: Deployment;
let addressBound: Deployment;
let configDir: string;

async function deploy(env: Record<string, string> = {}): Promise<Deployment> {
  const database = await createTestDatabase();
  const server = await startServer({ databaseUrl: database.url, env });
  return { database, server };
}

/** Signs in a new user, because each user's TOTP secret allows only three sign-ins per 30-second step. */
async function newSession(deployment: Deployment): Promise<SignedIn> {
  return signIn(deployment.server, await createTestUser(deployment.database.db, { role: 'operator' }));
}

beforeAll(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-binding-config-'));
  const configFile = path.join(configDir, 'config.toml');
  fs.writeFileSync(configFile, '[auth]\nbind_sessions_to_address = true\n', { mode: 0o640 });
  [unbound, addressBound] = await Promise.all([deploy(), deploy({ PM_CONFIG: configFile })]);
}, 240_000);

afterAll(async () => {
  for (const deployment of [unbound, addressBound]) {
    await deployment?.server.stop();
    await deployment?.database.drop();
  }
  fs.rmSync(configDir, { recursive: true, force: true });
});

function get(deployment: Deployment, urlPath: string, options: { cookie?: string; authorization?: SignedIn['bearer'] | string }): Promise<JsonResponse> {
  return requestJson(`${deployment.server.webUrl}${urlPath}`, { ...options, ca: deployment.server.caCertPem });
}

function refresh(deployment: Deployment, cookie: string): Promise<JsonResponse> {
  return requestJson(`${deployment.server.webUrl}/api/v1/auth/refresh`, { body: {}, cookie, ca: deployment.server.caCertPem });
}

/** Sends a GET from the source address 127.0.0.2 to the server on 127.0.0.1. */
function getFromOtherAddress(deployment: Deployment, urlPath: string, headers: Record<string, string>): Promise<JsonResponse> {
  const { webPort, caCertPem } = deployment.server;
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: webPort,
        path: urlPath,
        localAddress: '127.0.0.2',
        servername: 'localhost',
        ca: caCertPem,
        agent: false,
        headers: { host: `localhost:${webPort}`, ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let body: unknown = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            body = null;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

interface BindingAuditRow {
  actor_kind: string;
  client_address: string | null;
  target_id: string | null;
  details: { reason?: string; sessionId?: string; presented?: string };
  text: string;
}

async function bindingFailures(deployment: Deployment, sessionId: string): Promise<BindingAuditRow[]> {
  return deployment.database.sql<BindingAuditRow[]>`
    select actor_kind, client_address, target_id, details, details::text as text from audit_log
    where action = 'auth.binding_failed' and details->>'sessionId' = ${sessionId} order by id`;
}

async function sessionIdOf(deployment: Deployment, session: SignedIn): Promise<string> {
  const [row] = await deployment.database.sql<{ family_id: string }[]>`
    select family_id from refresh_tokens where token_hash = ${hashRefreshToken(session.refreshToken)}`;
  return row!.family_id;
}

async function familyState(deployment: Deployment, familyId: string) {
  return deployment.database.sql<{ rotated: boolean; revoked: boolean }[]>`
    select rotated_at is not null as rotated, revoked_at is not null as revoked from refresh_tokens
    where family_id = ${familyId} order by created_at, id`;
}

/** Waits up to 5 seconds for the server's output to contain every fragment, and returns whether it did. */
async function outputContains(deployment: Deployment, fragments: string[]): Promise<boolean> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const output = deployment.server.output();
    const line = output.split('\n').find((candidate) => fragments.every((fragment) => candidate.includes(fragment)));
    if (line !== undefined) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function errorMessage(response: JsonResponse): string {
  return (response.body as { error?: { message?: string } } | null)?.error?.message ?? '';
}

describe('access token binding', () => {
  it('accepts cookie and bearer with the binding', async () => {
    const session = await newSession(unbound);

    const byCookie = await get(unbound, '/api/v1/hosts', { cookie: session.cookie });
    const byBearer = await get(unbound, '/api/v1/hosts', { authorization: session.bearer });

    expect(byCookie.status, byCookie.text).toBe(200);
    expect(byBearer.status, byBearer.text).toBe(200);
  });

  it('rejects a stolen access cookie without the binding cookie', async () => {
    const session = await newSession(unbound);
    const sessionId = await sessionIdOf(unbound, session);

    const response = await get(unbound, '/api/v1/hosts', { cookie: `pm_access=${session.accessToken}` });
    const rows = await bindingFailures(unbound, sessionId);

    expect(response.status).toBe(401);
    expect(errorMessage(response)).toContain('the session is bound to another client');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'console', client_address: '127.0.0.1' });
    expect(rows[0]?.details).toEqual({ reason: 'binding-missing', sessionId, presented: 'access-token' });
    expect(await outputContains(unbound, ['"level":40', 'session binding check failed', sessionId])).toBe(true);
  });

  it('rejects a stolen bearer token without X-PM-Binding', async () => {
    const session = await newSession(unbound);

    const response = await get(unbound, '/api/v1/hosts', { authorization: `Bearer ${session.accessToken}` });

    expect(response.status).toBe(401);
    expect(errorMessage(response)).toContain('X-PM-Binding');
  });

  it("rejects another session's binding", async () => {
    const victim = await newSession(unbound);
    const attacker = await newSession(unbound);
    const sessionId = await sessionIdOf(unbound, victim);

    const byCookie = await get(unbound, '/api/v1/hosts', { cookie: `pm_access=${victim.accessToken}; pm_bind=${attacker.binding}` });
    const byBearer = await get(unbound, '/api/v1/hosts', { authorization: { authorization: victim.bearer.authorization, binding: attacker.binding } });
    const rows = await bindingFailures(unbound, sessionId);

    expect(byCookie.status).toBe(401);
    expect(byBearer.status).toBe(401);
    expect(rows.map((row) => row.details.reason)).toEqual(['binding-mismatch', 'binding-mismatch']);
  });

  it('keeps secrets out of the audit row', async () => {
    const session = await newSession(unbound);
    const other = await newSession(unbound);
    const sessionId = await sessionIdOf(unbound, session);

    await get(unbound, '/api/v1/hosts', { cookie: `pm_access=${session.accessToken}; pm_bind=${other.binding}` });
    const [row] = await bindingFailures(unbound, sessionId);

    expect(row).toBeDefined();
    for (const secret of [session.accessToken, session.binding, hashBindingSecret(session.binding), other.binding, hashBindingSecret(other.binding)]) {
      expect(row!.text.includes(secret)).toBe(false);
    }
  });

  it('sends a page request without the binding to the refresh step', async () => {
    const session = await newSession(unbound);

    const page = await get(unbound, '/hosts', { cookie: `pm_access=${session.accessToken}` });

    expect(page.status).toBe(303);
    expect(String(page.headers.location)).toContain('/api/v1/auth/resume');
  });

  it('accepts another address when address binding is off', async () => {
    const session = await newSession(unbound);

    const response = await getFromOtherAddress(unbound, '/api/v1/hosts', { cookie: session.cookie });

    expect(response.status, response.text).toBe(200);
  });
});

describe('refresh token binding', () => {
  it('refuses a stolen refresh cookie without the binding and keeps the family', async () => {
    const session = await newSession(unbound);
    const sessionId = await sessionIdOf(unbound, session);

    const stolen = await refresh(unbound, `pm_refresh=${session.refreshToken}`);
    const afterTheft = await familyState(unbound, sessionId);
    const rows = await bindingFailures(unbound, sessionId);
    const owner = await refresh(unbound, `pm_refresh=${session.refreshToken}; pm_bind=${session.binding}`);

    expect(stolen.status).toBe(401);
    expect(setCookies(stolen).get('pm_access') ?? '').toBe('');
    expect(afterTheft).toEqual([{ rotated: false, revoked: false }]);
    expect(rows.map((row) => row.details)).toEqual([{ reason: 'binding-missing', sessionId, presented: 'refresh-token' }]);
    expect(owner.status, owner.text).toBe(200);
  });

  it("refuses a refresh with another session's binding", async () => {
    const session = await newSession(unbound);
    const other = await newSession(unbound);
    const sessionId = await sessionIdOf(unbound, session);

    const response = await refresh(unbound, `pm_refresh=${session.refreshToken}; pm_bind=${other.binding}`);

    expect(response.status).toBe(401);
    expect(await familyState(unbound, sessionId)).toEqual([{ rotated: false, revoked: false }]);
  });

  it('keeps the binding across a refresh', async () => {
    const session = await newSession(unbound);

    const rotated = setCookies(await refresh(unbound, `pm_refresh=${session.refreshToken}; pm_bind=${session.binding}`));
    const withBinding = await get(unbound, '/api/v1/hosts', { cookie: `pm_access=${rotated.get('pm_access')}; pm_bind=${session.binding}` });
    const withoutBinding = await get(unbound, '/api/v1/hosts', { cookie: `pm_access=${rotated.get('pm_access')}` });

    expect(rotated.has('pm_bind')).toBe(false);
    expect(withBinding.status, withBinding.text).toBe(200);
    expect(withoutBinding.status).toBe(401);
  });
});

describe('binding at sign-in', () => {
  async function signInWithHeaders(user: TestUser, headers: Record<string, string>): Promise<{ response: JsonResponse; cookies: Map<string, string> }> {
    const { server } = unbound;
    const login = await requestJson(`${server.webUrl}/api/v1/auth/login`, {
      body: { username: user.username, password: user.password },
      ca: server.caCertPem,
    });
    const response = await requestJson(`${server.webUrl}/api/v1/auth/mfa/totp`, {
      body: { code: await freshTotpCode(user.totpSecret) },
      cookie: `pm_mfa=${setCookies(login).get('pm_mfa')}`,
      headers,
      ca: server.caCertPem,
    });
    return { response, cookies: setCookies(response) };
  }

  it('sets pm_bind as a strict httpOnly cookie', async () => {
    const { response } = await signInWithHeaders(await createTestUser(unbound.database.db, { role: 'operator' }), {});
    const line = [response.headers['set-cookie'] ?? []].flat().find((value) => value.startsWith('pm_bind='));

    expect(line).toMatch(/^pm_bind=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('returns the binding only to API clients that ask', async () => {
    const user = await createTestUser(unbound.database.db, { role: 'operator' });
    const browser = await signInWithHeaders(user, {});
    const api = await signInWithHeaders(user, { 'x-pm-return-binding': 'true' });
    const binding = (api.response.body as { binding?: string }).binding ?? '';
    const accessToken = api.cookies.get('pm_access') ?? '';

    const call = await get(unbound, '/api/v1/hosts', { authorization: { authorization: `Bearer ${accessToken}`, binding } });

    expect(browser.response.body).toEqual({ username: user.username });
    expect(binding).toBe(api.cookies.get('pm_bind'));
    expect(call.status, call.text).toBe(200);
  });
});

describe('address binding', () => {
  it('rejects the token from another address', async () => {
    const session = await newSession(addressBound);
    const sessionId = await sessionIdOf(addressBound, session);

    const elsewhere = await getFromOtherAddress(addressBound, '/api/v1/hosts', { cookie: session.cookie });
    const bearerElsewhere = await getFromOtherAddress(addressBound, '/api/v1/hosts', {
      authorization: session.bearer.authorization,
      'x-pm-binding': session.binding,
    });
    const home = await get(addressBound, '/api/v1/hosts', { cookie: session.cookie });
    const rows = await bindingFailures(addressBound, sessionId);

    expect(elsewhere.status).toBe(401);
    expect(bearerElsewhere.status).toBe(401);
    expect(home.status, home.text).toBe(200);
    expect(rows.map((row) => [row.client_address, row.details.reason])).toEqual([
      ['127.0.0.2', 'address-mismatch'],
      ['127.0.0.2', 'address-mismatch'],
    ]);
  });

  it('refuses a refresh from another address', async () => {
    const session = await newSession(addressBound);
    const sessionId = await sessionIdOf(addressBound, session);

    const { webPort, caCertPem } = addressBound.server;
    const response = await new Promise<number>((resolve, reject) => {
      const body = '{}';
      const request = https.request(
        {
          host: '127.0.0.1',
          port: webPort,
          path: '/api/v1/auth/refresh',
          method: 'POST',
          localAddress: '127.0.0.2',
          servername: 'localhost',
          ca: caCertPem,
          agent: false,
          headers: {
            host: `localhost:${webPort}`,
            'content-type': 'application/json',
            'content-length': String(body.length),
            cookie: `pm_refresh=${session.refreshToken}; pm_bind=${session.binding}`,
          },
        },
        (reply) => {
          reply.resume();
          reply.on('end', () => resolve(reply.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end(body);
    });

    expect(response).toBe(401);
    expect(await familyState(addressBound, sessionId)).toEqual([{ rotated: false, revoked: false }]);
  });
});
