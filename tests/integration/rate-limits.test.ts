import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollmentTokens } from '@/lib/db/schema';
import { generateEnrollmentToken, hashEnrollmentToken } from '@/lib/enrollment/token';
import { createCsr } from '@/lib/pki/issue-test-client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Two server processes share one database and these small limits. Each test
// sends from its own loopback address (127.0.0.x as the socket's local address),
// so every test starts with fresh per-address counts.
const LIMITS_TOML = `[limits]
public_requests_per_minute = 40
revocation_requests_per_minute = 15
enrollment_requests_per_minute = 8
enrollment_failures = 3
enrollment_failure_window_seconds = 10
setup_failures = 2
setup_failure_window_seconds = 600
`;

const WRONG_TOKEN = generateEnrollmentToken();
const SETUP_PASSWORD = 'a long enough setup password';

let database: TestDatabase;
let configDir: string;
let first: ServerProcess;
let second: ServerProcess;

interface Reply {
  status: number;
  retryAfter: string | undefined;
  body: unknown;
}

/** Sends one HTTPS request to a server from the given loopback address. */
function send(
  server: ServerProcess,
  from: string,
  pathname: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: server.webPort,
        path: pathname,
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        localAddress: from,
        servername: 'localhost',
        ca: server.caCertPem,
        agent: false,
        headers: {
          host: `localhost:${server.webPort}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Plain-text and script bodies stay text.
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

async function createToken(maxUses = 1): Promise<string> {
  const token = generateEnrollmentToken();
  await database.db.insert(enrollmentTokens).values({
    tokenHash: hashEnrollmentToken(token),
    maxUses,
    expiresAt: new Date(Date.now() + 3_600_000),
    createdBy: 'test',
  });
  return token;
}

async function enroll(server: ServerProcess, from: string, token: string, hostname: string): Promise<Reply> {
  const { csrPem } = await createCsr();
  return send(server, from, '/api/v1/enroll', { body: { token, csr: csrPem, hostname } });
}

function download(server: ServerProcess, from: string, token: string): Promise<Reply> {
  return send(server, from, '/downloads/install-agent.sh', { headers: { 'x-enrollment-token': token } });
}

function setup(server: ServerProcess, from: string, body: Record<string, string>): Promise<Reply> {
  return send(server, from, '/api/v1/auth/setup', { body });
}

function expectRetryAfter(reply: Reply, maxSeconds: number): void {
  expect(reply.retryAfter).toMatch(/^\d+$/);
  expect(Number(reply.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(reply.retryAfter)).toBeLessThanOrEqual(maxSeconds);
}

beforeAll(async () => {
  database = await createTestDatabase();
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-limits-config-'));
  const configFile = path.join(configDir, 'config.toml');
  fs.writeFileSync(configFile, LIMITS_TOML, { mode: 0o640 });
  first = await startServer({ databaseUrl: database.url, env: { PM_CONFIG: configFile } });
  second = await startServer({ databaseUrl: database.url, env: { PM_CONFIG: configFile } });
}, 240_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await database?.drop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('POST /api/v1/enroll limits', () => {
  it('rejects an address after too many failures', async () => {
    const from = '127.0.0.2';
    const token = await createToken();

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect((await enroll(first, from, WRONG_TOKEN, 'wrong-token')).status).toBe(401);
    }
    const limited = await enroll(first, from, WRONG_TOKEN, 'wrong-token');
    // The second process shares the counts, and a valid token is rejected too.
    const validLimited = await enroll(second, from, token, 'valid-limited');

    expect(limited.status).toBe(429);
    expectRetryAfter(limited, 10);
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/too many enrollment requests from this address/) } });
    expect(validLimited.status).toBe(429);
    expectRetryAfter(validLimited, 10);
    await first.waitForOutput(/"address":"127\.0\.0\.2".*enrollment requests rejected: client address over the limit/);
  });

  it('skips the token lookup when limited', async () => {
    const from = '127.0.0.3';
    const token = await createToken();

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await enroll(first, from, WRONG_TOKEN, 'wrong-token');
    }
    const limited = await enroll(first, from, token, 'not-looked-up');
    const [row] = await database.db
      .select({ uses: enrollmentTokens.uses, lastUsedAt: enrollmentTokens.lastUsedAt })
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.tokenHash, hashEnrollmentToken(token)));

    expect(limited.status).toBe(429);
    expect(row).toEqual({ uses: 0, lastUsedAt: null });
  });

  it('accepts another address and the same address after the window', async () => {
    const from = '127.0.0.4';
    const token = await createToken(2);

    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await enroll(first, from, WRONG_TOKEN, 'wrong-token');
    }
    const limited = await enroll(first, from, token, 'before-window-end');
    const otherAddress = await enroll(first, '127.0.0.5', token, 'other-address');
    await new Promise((resolve) => setTimeout(resolve, Number(limited.retryAfter) * 1000 + 500));
    const afterWindow = await enroll(second, from, token, 'after-window-end');

    expect(limited.status).toBe(429);
    expect(otherAddress.status).toBe(201);
    expect(afterWindow.status).toBe(201);
  }, 30_000);

  it('does not count successful enrollments as failures', async () => {
    const from = '127.0.0.6';
    const token = await createToken(3);

    const failures = [await enroll(first, from, WRONG_TOKEN, 'wrong-token'), await enroll(first, from, WRONG_TOKEN, 'wrong-token')];
    const successes = [await enroll(first, from, token, 'counted-1'), await enroll(second, from, token, 'counted-2'), await enroll(first, from, token, 'counted-3')];
    const thirdFailure = await enroll(first, from, WRONG_TOKEN, 'wrong-token');
    const limited = await enroll(first, from, WRONG_TOKEN, 'wrong-token');

    expect(failures.map((reply) => reply.status)).toEqual([401, 401]);
    expect(successes.map((reply) => reply.status)).toEqual([201, 201, 201]);
    expect(thirdFailure.status).toBe(401);
    expect(limited.status).toBe(429);
  });

  it('counts an invalid CSR as a failure', async () => {
    const from = '127.0.0.7';
    const token = await createToken();
    const badCsr = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----';

    const badCsrReplies = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      badCsrReplies.push(await send(first, from, '/api/v1/enroll', { body: { token, csr: badCsr, hostname: 'bad-csr' } }));
    }
    const limited = await enroll(first, from, token, 'after-bad-csr');

    expect(badCsrReplies.map((reply) => reply.status)).toEqual([400, 400, 400]);
    expect(limited.status).toBe(429);
  });
});

describe('GET /downloads/* limits', () => {
  it('counts a wrong enrollment token as a failed enrollment', async () => {
    const from = '127.0.0.8';
    const token = await createToken();

    const wrong = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      wrong.push(await download(first, from, WRONG_TOKEN));
    }
    const limitedDownload = await download(second, from, token);
    const limitedEnrollment = await enroll(first, from, token, 'after-wrong-downloads');

    expect(wrong.map((reply) => reply.status)).toEqual([401, 401, 401]);
    expect(limitedDownload.status).toBe(429);
    expectRetryAfter(limitedDownload, 10);
    expect(limitedEnrollment.status).toBe(429);
  });

  it('shares the per-minute enrollment request limit', async () => {
    const from = '127.0.0.9';
    const token = await createToken();

    const downloads = [];
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      downloads.push(await download(attempt % 2 === 0 ? first : second, from, token));
    }
    const limited = await enroll(first, from, token, 'over-request-limit');

    expect(downloads.map((reply) => reply.status)).toEqual(Array(8).fill(200));
    expect(limited.status).toBe(429);
    expectRetryAfter(limited, 60);
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited' } });
  });
});

describe('POST /api/v1/auth/setup limits', () => {
  it('rejects an address after too many wrong setup tokens', async () => {
    const from = '127.0.0.10';
    const wrong = { setupToken: `pmsetup_${'A'.repeat(43)}`, username: 'first-admin', password: SETUP_PASSWORD };

    const wrongReplies = [await setup(first, from, wrong), await setup(second, from, wrong)];
    const limited = await setup(first, from, wrong);

    expect(wrongReplies.map((reply) => reply.status)).toEqual([401, 401]);
    expect(limited.status).toBe(429);
    expectRetryAfter(limited, 600);
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/too many failed setup attempts/) } });
  });

  it('does not count a weak password as a wrong token', async () => {
    const from = '127.0.0.11';
    const weak = { setupToken: `pmsetup_${'B'.repeat(43)}`, username: 'first-admin', password: 'short' };
    const wrong = { ...weak, password: SETUP_PASSWORD };

    const weakReplies = [await setup(first, from, weak), await setup(first, from, weak), await setup(first, from, weak)];
    const wrongToken = await setup(first, from, wrong);

    expect(weakReplies.map((reply) => reply.status)).toEqual([400, 400, 400]);
    expect(wrongToken.status).toBe(401);
  });
});

describe('public request ceiling', () => {
  it('rejects public routes over the ceiling', async () => {
    const from = '127.0.0.12';

    const admitted = [];
    for (let attempt = 1; attempt <= 40; attempt += 1) {
      admitted.push(await send(attempt % 2 === 0 ? first : second, from, '/pki/ca.pem'));
    }
    const limitedCa = await send(first, from, '/pki/ca.pem');
    const limitedApi = await send(second, from, '/api/v1/auth/login', { body: { username: 'nobody', password: 'nothing' } });
    const limitedPage = await send(first, from, '/login');
    const revocation = await send(first, from, '/pki/crl.pem');
    const otherAddress = await send(first, '127.0.0.13', '/pki/ca.pem');

    expect(admitted.map((reply) => reply.status)).toEqual(Array(40).fill(200));
    expect(limitedCa.status).toBe(429);
    expectRetryAfter(limitedCa, 60);
    expect(limitedApi.status).toBe(429);
    expect(limitedApi.body).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/too many requests from this address/) } });
    expectRetryAfter(limitedApi, 60);
    expect(limitedPage.status).toBe(429);
    expect(revocation.status).toBe(200);
    expect(otherAddress.status).toBe(200);
  });

  it('gives the CRL and OCSP their own ceiling', async () => {
    const from = '127.0.0.14';

    const admitted = [];
    for (let attempt = 1; attempt <= 15; attempt += 1) {
      admitted.push(await send(attempt % 2 === 0 ? first : second, from, attempt % 3 === 0 ? '/pki/crl.der' : '/pki/crl.pem'));
    }
    const limitedCrl = await send(first, from, '/pki/crl.pem');
    const limitedOcsp = await send(second, from, '/pki/ocsp', { method: 'POST', headers: { 'content-type': 'application/ocsp-request' } });
    const otherPublic = await send(first, from, '/pki/ca.pem');

    expect(admitted.map((reply) => reply.status)).toEqual(Array(15).fill(200));
    expect(limitedCrl.status).toBe(429);
    expectRetryAfter(limitedCrl, 60);
    expect(limitedOcsp.status).toBe(429);
    expect(otherPublic.status).toBe(200);
  });

  it('does not count signed-in routes', async () => {
    const from = '127.0.0.15';

    const replies = [];
    for (let attempt = 1; attempt <= 45; attempt += 1) {
      replies.push(await send(first, from, '/api/v1/hosts'));
    }

    expect(replies.map((reply) => reply.status)).toEqual(Array(45).fill(401));
  });
});
