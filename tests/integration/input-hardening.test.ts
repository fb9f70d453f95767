import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr } from '@/lib/pki/issue-test-client';
import { createTestUser, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type BoundBearer } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;
let operator: TestUser;
let agent: { certPem: string; keyPem: string };

const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const DEEP_MESSAGE = /^body: nested deeper than 64 levels/;

interface RawResponse {
  status: number;
  type: string;
  text: string;
  body: unknown;
}

/** Sends a body of raw bytes, so a test can send invalid UTF-8 or a chosen content type. */
function sendRaw(
  url: string,
  options: { method?: string; body?: Buffer | string; contentType?: string; authorization?: BoundBearer; cookie?: string; cert?: string; key?: string },
): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'POST',
        ca: server.caCertPem,
        cert: options.cert,
        key: options.key,
        agent: false,
        headers: {
          ...(options.contentType ? { 'content-type': options.contentType } : {}),
          'content-length': String(body?.length ?? 0),
          ...(options.authorization ? { authorization: options.authorization.authorization, 'x-pm-binding': options.authorization.binding } : {}),
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function api(path: string): string {
  return `${server.webUrl}${path}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
  operator = await createTestUser(database.db, { role: 'operator' });

  const token = await requestJson(api('/api/v1/enrollment-tokens'), { body: {}, ca: server.caCertPem, authorization: admin.bearer });
  const { csrPem, keyPem } = await createCsr();
  const enrolled = await requestJson(api('/api/v1/enroll'), {
    body: { token: (token.body as { token: string }).token, csr: csrPem, hostname: 'input-hardening' },
    ca: server.caCertPem,
  });
  expect(enrolled.status).toBe(201);
  agent = { certPem: (enrolled.body as { certificate: string }).certificate, keyPem };
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('deeply nested JSON', () => {
  it.each([
    ['POST', '/api/v1/auth/login', false],
    ['POST', '/api/v1/enroll', false],
    ['POST', '/api/v1/users', true],
    ['PUT', '/api/v1/settings', true],
    ['POST', '/api/v1/settings/azure-sso/test', true],
    ['POST', '/api/v1/account/password', true],
    ['POST', '/api/v1/groups', true],
  ])('%s %s answers 400 naming body', async (method, path, signedIn) => {
    const response = await sendRaw(api(path), {
      method,
      body: DEEP,
      contentType: 'application/json',
      ...(signedIn ? { authorization: admin.bearer } : {}),
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', field: 'body', message: expect.stringMatching(DEEP_MESSAGE) } });
  });

  it('POST /agent/v1/inventory answers 400 naming body', async () => {
    const response = await sendRaw(`https://localhost:${server.agentPort}/agent/v1/inventory`, {
      body: DEEP,
      contentType: 'application/json',
      cert: agent.certPem,
      key: agent.keyPem,
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'body', message: expect.stringMatching(DEEP_MESSAGE) } });
  });

  it('logs no internal error', () => {
    expect(server.output()).not.toContain('RangeError');
    expect(server.output()).not.toContain('API request failed');
    expect(server.output()).not.toContain('agent request failed');
  });
});

describe('invalid UTF-8 in a body', () => {
  const name = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('name"}')]);

  it('is rejected and creates no group', async () => {
    const response = await sendRaw(api('/api/v1/groups'), { body: name, contentType: 'application/json', authorization: admin.bearer });
    const rows = await database.sql`select name from host_groups where name like 'bad%'`;

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'invalid_input', message: 'body: not valid UTF-8', field: 'body' } });
    expect(rows).toHaveLength(0);
  });

  it('is rejected on the agent listener', async () => {
    const body = Buffer.concat([Buffer.from('{"hashes":{"facts":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const response = await sendRaw(`https://localhost:${server.agentPort}/agent/v1/inventory`, {
      body,
      contentType: 'application/json',
      cert: agent.certPem,
      key: agent.keyPem,
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { message: 'body: not valid UTF-8', field: 'body' } });
  });
});

describe('invalid percent-encoding in the path', () => {
  it.each(['/api/v1/jobs/%ff', '/api/v1/hosts/%ff', '/api/v1/users/%ff/groups'])('GET %s answers a JSON 400', async (path) => {
    const response = await sendRaw(api(path), { method: 'GET', authorization: admin.bearer });

    expect(response.status).toBe(400);
    expect(response.type).toBe('application/json');
    expect(response.body).toEqual({ error: { code: 'invalid_input', message: 'path: invalid percent-encoding', field: 'path' } });
  });

  it('GET /hosts/%ff answers a plain 400 page', async () => {
    const response = await sendRaw(api('/hosts/%ff'), { method: 'GET', cookie: admin.cookie });

    expect(response.status).toBe(400);
    expect(response.type).toMatch(/^text\/plain/);
    expect(response.text).toContain('invalid percent-encoding');
  });

  it('is logged', async () => {
    await server.waitForOutput('rejected request with invalid percent-encoding in the path');
  });

  it('leaves a valid escape working', async () => {
    const response = await sendRaw(api('/api/v1/hosts/%61bc'), { method: 'GET', authorization: admin.bearer });

    expect(response.status).not.toBe(500);
    expect(response.type).toBe('application/json');
  });
});

describe('query parameters', () => {
  it.each([
    ['/api/v1/hosts?limit=-1', 'limit'],
    ['/api/v1/hosts?limit=99999999999', 'limit'],
    ['/api/v1/hosts?pageSize=99999999999', 'pageSize'],
    ['/api/v1/hosts?status=bogus', 'status'],
    ['/api/v1/jobs?status=bogus', 'status'],
    ['/api/v1/jobs?status=%00', 'status'],
    ['/api/v1/jobs?from=xx', 'from'],
    ['/api/v1/jobs?page=0', 'page'],
    ['/api/v1/reports/audit?from=xx', 'from'],
    ['/api/v1/reports/audit?limit=5', 'limit'],
    ['/api/v1/reports/audit.csv?page=2', 'page'],
    ['/api/v1/reports/jobs.csv?status=failed', 'status'],
    ['/api/v1/reports/compliance.csv?group=web', 'group'],
    ['/api/v1/reports/dashboard?limit=-1', 'limit'],
    ['/api/v1/reports/dashboard?days=9999', 'days'],
  ])('GET %s answers 400 naming %s', async (path, field) => {
    const response = await requestJson(api(path), { ca: server.caCertPem, authorization: admin.bearer });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', field } });
    expect((response.body as { error: { message: string } }).error.message).toMatch(new RegExp(`^${field}: `));
  });

  it('names the accepted parameters', async () => {
    const response = await requestJson(api('/api/v1/jobs?status=bogus'), { ca: server.caCertPem, authorization: admin.bearer });

    expect(response.body).toMatchObject({ error: { message: 'status: unknown query parameter; expected page, pageSize' } });
  });

  it.each(['/api/v1/hosts?search=web&status=online&sort=hostname&page=1&pageSize=10', '/api/v1/jobs?page=1&pageSize=5', '/api/v1/reports/audit?action=auth.*'])(
    'GET %s still answers 200',
    async (path) => {
      const response = await requestJson(api(path), { ca: server.caCertPem, authorization: admin.bearer });

      expect(response.status).toBe(200);
    },
  );
});

describe('endpoints without a body', () => {
  const endpoints = [
    ['POST', '/api/v1/ws/tickets'],
    ['POST', '/api/v1/reports/audit/verify'],
  ] as const;

  it.each(endpoints)('%s %s rejects a JSON body with fields', async (method, path) => {
    const response = await sendRaw(api(path), { method, body: '{"a":1}', contentType: 'application/json', authorization: admin.bearer });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'body', message: expect.stringMatching(/^body: this endpoint takes no body/) } });
  });

  it.each(endpoints)('%s %s rejects malformed JSON', async (method, path) => {
    const response = await sendRaw(api(path), { method, body: '{', contentType: 'application/json', authorization: admin.bearer });

    expect(response.status).toBe(400);
  });

  it.each(endpoints)('%s %s rejects 2 MiB', async (method, path) => {
    const response = await sendRaw(api(path), { method, body: 'x'.repeat(2 * 1024 * 1024), contentType: 'application/json', authorization: admin.bearer });

    expect(response.status).toBe(400);
  });

  it.each(endpoints)('%s %s rejects text/plain with 415', async (method, path) => {
    const response = await sendRaw(api(path), { method, body: 'hello', contentType: 'text/plain', authorization: admin.bearer });

    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ error: { code: 'unsupported_media_type', field: 'content-type' } });
  });

  it.each(endpoints)('%s %s accepts an empty body and {}', async (method, path) => {
    const empty = await sendRaw(api(path), { method, authorization: admin.bearer });
    const object = await sendRaw(api(path), { method, body: '{}', contentType: 'application/json', authorization: admin.bearer });

    expect(empty.status).toBeLessThan(300);
    expect(object.status).toBeLessThan(300);
  });

  it('mfa-reset with a body keeps the factors', async () => {
    const path = `/api/v1/users/${operator.id}/mfa-reset`;
    const plain = await sendRaw(api(path), { body: 'reset', contentType: 'text/plain', authorization: admin.bearer });
    const fields = await sendRaw(api(path), { body: '{"force":true}', contentType: 'application/json', authorization: admin.bearer });
    const rows = await database.sql`select user_id from mfa_totp where user_id = ${operator.id}`;

    expect(plain.status).toBe(415);
    expect(fields.status).toBe(400);
    expect(rows).toHaveLength(1);
  });

  it('mfa-reset with {} resets the factors', async () => {
    const response = await sendRaw(api(`/api/v1/users/${operator.id}/mfa-reset`), { body: '{}', contentType: 'application/json', authorization: admin.bearer });
    const rows = await database.sql`select user_id from mfa_totp where user_id = ${operator.id}`;

    expect(response.status).toBe(204);
    expect(rows).toHaveLength(0);
  });
});
