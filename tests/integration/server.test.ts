import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePki } from '@/lib/pki/ensure-pki';
import { certificateFingerprint } from '@/lib/pki/fingerprint';
import { createCsr, issueTestClient } from '@/lib/pki/issue-test-client';
import { canonicalSerial } from '@/lib/pki/serial';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { probeTls } from '../helpers/tls-probes';

let database: TestDatabase;
let server: ServerProcess;
let foreignCa: { certPem: string; keyPem: string };
let admin: SignedIn;

async function createToken(body: Record<string, unknown> = {}): Promise<string> {
  const response = await requestJson(`${server.webUrl}/api/v1/enrollment-tokens`, { body, ca: server.caCertPem, authorization: admin.bearer });
  expect(response.status).toBe(201);
  return (response.body as { token: string }).token;
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-foreign-ca-'));
  const foreign = await ensurePki({ configDir: dir, hostNames: ['localhost'] });
  foreignCa = { certPem: foreign.caCertPem, keyPem: foreign.caKeyPem };
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('web listener TLS', () => {
  it('accepts a TLS 1.3 client', async () => {
    const result = await probeTls({ host: '127.0.0.1', port: server.webPort, ca: server.caCertPem, servername: 'localhost' });

    expect(result.ok).toBe(true);
    expect(result.protocol).toBe('TLSv1.3');
  });

  it('refuses a TLS 1.2 client', async () => {
    const result = await probeTls({ host: '127.0.0.1', port: server.webPort, maxVersion: 'TLSv1.2' });

    expect(result.ok).toBe(false);
  });
});

describe('agent listener mTLS', () => {
  it('refuses a TLS 1.2 client with a valid certificate', async () => {
    const pki = await readServerPki();
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'tls12-probe' });
    const result = await probeTls({
      host: '127.0.0.1',
      port: server.agentPort,
      maxVersion: 'TLSv1.2',
      cert: client.certPem,
      key: client.keyPem,
    });

    expect(result.ok).toBe(false);
  });

  it('refuses a client without a certificate', async () => {
    const result = await probeTls({ host: '127.0.0.1', port: server.agentPort });

    expect(result.ok).toBe(false);
  });

  it('refuses a certificate from another CA', async () => {
    const client = await issueTestClient({ caCertPem: foreignCa.certPem, caKeyPem: foreignCa.keyPem, hostId: 'foreign' });
    const result = await probeTls({ host: '127.0.0.1', port: server.agentPort, cert: client.certPem, key: client.keyPem });

    expect(result.ok).toBe(false);
  });

  it('answers 401 to a CA-signed certificate no host owns', async () => {
    const pki = await readServerPki();
    const client = await issueTestClient({
      caCertPem: pki.caCertPem,
      caKeyPem: pki.caKeyPem,
      hostId: '00000000-0000-4000-8000-000000000000',
    });
    const response = await requestJson(`https://localhost:${server.agentPort}/agent/v1/inventory`, {
      body: {},
      ca: server.caCertPem,
      cert: client.certPem,
      key: client.keyPem,
    });

    expect(response.status).toBe(401);
  });
});

describe('POST /api/v1/enroll', () => {
  it('issues a certificate once per one-time token', async () => {
    const token = await createToken({ description: 'enroll test' });
    const { csrPem } = await createCsr();
    const first = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token, csr: csrPem, hostname: 'enroll-one' },
      ca: server.caCertPem,
    });
    const second = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token, csr: csrPem, hostname: 'enroll-two' },
      ca: server.caCertPem,
    });

    expect(first.status).toBe(201);
    expect((first.body as { certificate: string }).certificate).toContain('BEGIN CERTIFICATE');
    expect(second.status).toBe(401);
    expect(second.body).toMatchObject({ error: { code: 'unauthorized', field: 'token' } });
  });

  it('records the certificate serial and fingerprint for the host', async () => {
    const token = await createToken();
    const { csrPem } = await createCsr();
    const response = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token, csr: csrPem, hostname: 'enroll-recorded' },
      ca: server.caCertPem,
    });
    const { hostId, certificate } = response.body as { hostId: string; certificate: string };
    const rows = await database.sql`select serial, fingerprint from certificates where host_id = ${hostId}`;
    const issued = new X509Certificate(certificate);

    expect(rows).toHaveLength(1);
    expect(rows[0]?.serial).toBe(canonicalSerial(issued.serialNumber));
    expect(rows[0]?.fingerprint).toBe(certificateFingerprint(certificate));
  });

  it('stores the token only as its SHA-256 hash', async () => {
    const token = await createToken({ description: 'hash check' });
    const rows = await database.sql<{ token_hash: string }[]>`select token_hash from enrollment_tokens where description = 'hash check'`;
    const everything = await database.sql<{ row: string }[]>`select t::text as row from enrollment_tokens t`;

    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    for (const { row } of everything) expect(row).not.toContain(token);
  });

  it('rejects a malformed CSR and leaves the token unused', async () => {
    const token = await createToken();
    const bad = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token, csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', hostname: 'bad-csr' },
      ca: server.caCertPem,
    });
    const { csrPem } = await createCsr();
    const good = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token, csr: csrPem, hostname: 'after-bad-csr' },
      ca: server.caCertPem,
    });

    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { field: 'csr' } });
    expect(good.status).toBe(201);
  });

  it('rejects an expired token', async () => {
    const token = await createToken();
    await database.sql`update enrollment_tokens set expires_at = now() - interval '1 minute'`;
    const { csrPem } = await createCsr();
    const response = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token, csr: csrPem, hostname: 'expired' },
      ca: server.caCertPem,
    });

    expect(response.status).toBe(401);
  });

  it('rejects unknown fields naming them', async () => {
    const { csrPem } = await createCsr();
    const response = await requestJson(`${server.webUrl}/api/v1/enroll`, {
      body: { token: 'pmet_xxxxxxxxxxxx', csr: csrPem, hostname: 'h', role: 'admin' },
      ca: server.caCertPem,
    });

    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('role');
  });
});

describe('console API input', () => {
  it('POST /api/v1/jobs – names the invalid field', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/jobs`, {
      body: { hostIds: ['not-a-uuid'], action: 'upgrade-all' },
      ca: server.caCertPem,
      authorization: admin.bearer,
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', field: 'hostIds.0' } });
  });

  it('POST /api/v1/jobs – rejects package names that look like options', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/jobs`, {
      body: { hostIds: ['00000000-0000-4000-8000-000000000000'], action: 'packages', packages: ['--purge'] },
      ca: server.caCertPem,
      authorization: admin.bearer,
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'packages.0' } });
  });

  it('POST /api/v1/jobs – answers 404 for an unknown host and creates no job', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/jobs`, {
      body: { hostIds: ['00000000-0000-4000-8000-000000000000'], action: 'upgrade-all' },
      ca: server.caCertPem,
      authorization: admin.bearer,
    });
    const [count] = await database.sql`select count(*)::int as n from jobs`;

    expect(response.status).toBe(404);
    expect(count?.n).toBe(0);
  });

  it('POST /api/v1/jobs – answers 400 to malformed JSON', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/jobs`, { rawBody: '{"hostIds": [', ca: server.caCertPem, authorization: admin.bearer });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'body' } });
  });

  it('POST /api/v1/jobs – answers 413 to an oversized body', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/jobs`, {
      rawBody: JSON.stringify({ hostIds: [], padding: 'x'.repeat(1_100_000) }),
      ca: server.caCertPem,
      authorization: admin.bearer,
    });

    expect(response.status).toBe(413);
  });

  it('GET /api/v1/hosts/{id} – answers 404 for an unknown host', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/hosts/00000000-0000-4000-8000-000000000000`, {
      ca: server.caCertPem,
      authorization: admin.bearer,
    });

    expect(response.status).toBe(404);
  });

  it('GET /api/v1/hosts – rejects a bad page number', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/hosts?page=-1`, { ca: server.caCertPem, authorization: admin.bearer });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'page' } });
  });
});

describe('cross-origin writes', () => {
  it('refuses an API write from another origin', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/enrollment-tokens`, {
      body: {},
      ca: server.caCertPem,
      headers: { origin: `https://localhost:${server.webPort + 1}` },
    });

    expect(response.status).toBe(403);
    expect(response.text).toContain('cross-origin request refused');
  });

  it('refuses a server action posted from another origin', async () => {
    const forged = await requestJson(`${server.webUrl}/enrollment`, {
      rawBody: '[]',
      ca: server.caCertPem,
      cookie: admin.cookie,
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'next-action': '0'.repeat(42) },
    });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('cross-origin request refused: origin https://evil.example');

    const crossSite = await requestJson(`${server.webUrl}/enrollment`, {
      rawBody: '[]',
      ca: server.caCertPem,
      cookie: admin.cookie,
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site', 'next-action': '0'.repeat(42) },
    });
    expect(crossSite.status).toBe(403);

    // The same post from the console's own origin passes this check and reaches Next.js.
    const sameOrigin = await requestJson(`${server.webUrl}/enrollment`, {
      rawBody: '[]',
      ca: server.caCertPem,
      cookie: admin.cookie,
      headers: { 'content-type': 'text/plain', origin: server.webUrl, 'next-action': '0'.repeat(42) },
    });
    expect(sameOrigin.text).not.toContain('cross-origin request refused');
  });

  it('refuses a text/plain form post marked same-site', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/account/recovery-codes`, {
      rawBody: 'x=1',
      ca: server.caCertPem,
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'same-site' },
    });

    expect(response.status).toBe(403);
  });
});

describe('jobs WebSocket origin', () => {
  it('is answered by the server after a page request', async () => {
    const page = await requestJson(`${server.webUrl}/hosts`, { ca: server.caCertPem, cookie: admin.cookie });
    expect(page.status).toBe(200);
    const issued = await requestJson(`${server.webUrl}/api/v1/ws/tickets`, { method: 'POST', ca: server.caCertPem, cookie: admin.cookie });
    const ticket = (issued.body as { ticket: string }).ticket;

    const response = await requestJson(`${server.webUrl}/api/v1/ws/jobs?job=00000000-0000-4000-8000-000000000000&ticket=${ticket}`, {
      ca: server.caCertPem,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        origin: server.webUrl,
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });

    expect(response.status).toBe(404);
  });

  it('refuses an upgrade without a ticket', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/ws/jobs?job=00000000-0000-4000-8000-000000000000`, {
      ca: server.caCertPem,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        origin: server.webUrl,
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });

    expect(response.status).toBe(401);
  });

  it('refuses an upgrade from a foreign origin', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/ws/jobs?job=00000000-0000-4000-8000-000000000000`, {
      ca: server.caCertPem,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        origin: 'https://evil.test',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).catch((error: unknown) => ({ status: -1, error }));

    expect(response.status).toBe(403);
  });
});

async function readServerPki(): Promise<{ caCertPem: string; caKeyPem: string }> {
  return {
    caCertPem: server.caCertPem,
    caKeyPem: fs.readFileSync(path.join(server.dataDir, 'ca', 'ca.key'), 'utf8'),
  };
}
