import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '@/lib/pki/create-ca';
import { parseHostNames } from '@/lib/pki/host-names';
import { issueWebCertificate } from '@/lib/pki/issue-web-certificate';
import * as x509 from '@/lib/pki/x509';
import { waitFor } from '../helpers/agent-process';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { issueCustomCertificate } from '../helpers/test-certificates';

// The console certificate strategy against the real server. An Admin uploads a
// chain and key from another CA through the settings API, and new connections to
// the web port get it at once, without a restart. Invalid uploads change nothing.

const DAY_MS = 24 * 60 * 60 * 1000;

let database: TestDatabase;
let server: ServerProcess;
let session: SignedIn;
let internalFingerprint: string;
/** A second CA, standing in for the operator's own PKI. */
let otherCa: { certPem: string; keyPem: string };
let leaf: { certPem: string; keyPem: string };
let leafFingerprint: string;

/** Sends an API request that trusts both the internal and the other CA, so it works under either strategy. */
function call(pathname: string, options: { method?: string; body?: unknown } = {}): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${pathname}`, {
    method: options.method,
    body: options.body,
    authorization: session.bearer,
    ca: `${server.caCertPem}\n${otherCa.certPem}`,
  });
}

/** Opens a new TLS connection to the web port and returns the SHA-256 fingerprint of the certificate it presents. */
function presentedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: 'localhost', port: server.webPort, servername: 'localhost', rejectUnauthorized: false }, () => {
      const certificate = socket.getPeerX509Certificate();
      socket.end();
      if (!certificate) {
        reject(new Error('the web listener presented no certificate'));
        return;
      }
      resolve(certificate.fingerprint256);
    });
    socket.once('error', reject);
  });
}

/** Checks a handshake that trusts only `caPem` and verifies the host name localhost. */
function verifiesWith(caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: 'localhost', port: server.webPort, servername: 'localhost', ca: caPem }, () => {
      socket.end();
      resolve(socket.authorized);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForFingerprint(expected: string): Promise<void> {
  await waitFor(`web listener presenting ${expected}`, async () => ((await presentedFingerprint()) === expected ? true : undefined), 15_000);
}

async function tlsAuditRows(): Promise<{ id: number; actor_id: string | null; target_id: string | null; details: Record<string, unknown> }[]> {
  return database.sql`select id::int as id, actor_id, target_id, details from audit_log where action = 'settings.tls_strategy' order by id`;
}

function uploadBody(chain: string, key: string) {
  return { strategy: 'uploaded', certificateChain: chain, privateKey: key };
}

/** Switches to the uploaded `leaf` (unless already served) and waits until the web listener presents it. */
async function useUploadedLeaf(): Promise<void> {
  if ((await presentedFingerprint()) === leafFingerprint) return;
  const response = await call('/api/v1/settings/tls', { method: 'PUT', body: uploadBody(`${leaf.certPem}${otherCa.certPem}`, leaf.keyPem) });
  expect(response.status, response.text).toBe(200);
  await waitForFingerprint(leafFingerprint);
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  session = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
  internalFingerprint = await presentedFingerprint();
  otherCa = await createCa();
  leaf = await issueWebCertificate({ caCertPem: otherCa.certPem, caKeyPem: otherCa.keyPem, hostNames: parseHostNames(['localhost']) });
  leafFingerprint = new X509Certificate(leaf.certPem).fingerprint256;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('console certificate strategy', () => {
  it('serves an uploaded chain without a restart', async () => {
    const before = await tlsAuditRows();
    expect(internalFingerprint).not.toBe(leafFingerprint);
    expect(await verifiesWith(server.caCertPem)).toBe(true);

    const response = await call('/api/v1/settings/tls', { method: 'PUT', body: uploadBody(`${leaf.certPem}${otherCa.certPem}`, leaf.keyPem) });
    await waitForFingerprint(leafFingerprint);
    const setting = await call('/api/v1/settings/tls');
    const rows = (await tlsAuditRows()).slice(before.length);

    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ strategy: 'uploaded', subject: 'CN=localhost' });
    expect(await verifiesWith(otherCa.certPem)).toBe(true);
    expect(await verifiesWith(server.caCertPem)).toBe(false);
    expect(setting.body).toMatchObject({ strategy: 'uploaded' });
    expect(server.output()).not.toMatch(/Patch Manager console:[\s\S]*Patch Manager console:/);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details).toMatchObject({ old: { strategy: 'internal' }, new: { strategy: 'uploaded' } });
    expect(rows[0]?.target_id).toBe('console_tls');
    expect(JSON.stringify(rows[0])).not.toContain('PRIVATE KEY');
  });

  it('switches back to the internal CA', async () => {
    await useUploadedLeaf();
    const before = await tlsAuditRows();

    const response = await call('/api/v1/settings/tls', { method: 'PUT', body: { strategy: 'internal' } });
    await waitForFingerprint(internalFingerprint);
    const rows = (await tlsAuditRows()).slice(before.length);

    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ strategy: 'internal' });
    expect(await verifiesWith(server.caCertPem)).toBe(true);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details).toMatchObject({ old: { strategy: 'uploaded' }, new: { strategy: 'internal' } });
  });

  describe('invalid upload', () => {
    const cases: [string, () => Promise<{ chain: string; key: string }>, string, RegExp][] = [
      [
        'with the key of another certificate',
        async () => {
          const other = await issueWebCertificate({ caCertPem: otherCa.certPem, caKeyPem: otherCa.keyPem, hostNames: parseHostNames(['localhost']) });
          return { chain: `${leaf.certPem}${otherCa.certPem}`, key: other.keyPem };
        },
        'privateKey',
        /private key does not belong to the first certificate/,
      ],
      [
        'with an expired certificate',
        async () => {
          const expired = await issueCustomCertificate({
            caCertPem: otherCa.certPem,
            caKeyPem: otherCa.keyPem,
            hostId: 'localhost',
            notBefore: new Date(Date.now() - 30 * DAY_MS),
            notAfter: new Date(Date.now() - DAY_MS),
            extendedKeyUsages: [x509.ExtendedKeyUsage.serverAuth],
            altNames: [{ type: 'dns', value: 'localhost' }],
          });
          return { chain: `${expired.certPem}${otherCa.certPem}`, key: expired.keyPem };
        },
        'certificateChain',
        /certificate 1 is valid from .* to .*, not now/,
      ],
      [
        'for another host name',
        async () => {
          const foreign = await issueWebCertificate({ caCertPem: otherCa.certPem, caKeyPem: otherCa.keyPem, hostNames: parseHostNames(['console.example.test']) });
          return { chain: `${foreign.certPem}${otherCa.certPem}`, key: foreign.keyPem };
        },
        'certificateChain',
        /does not cover the console's host localhost/,
      ],
      [
        'without its root',
        async () => ({ chain: leaf.certPem, key: leaf.keyPem }),
        'certificateChain',
        /does not end with a self-signed root certificate/,
      ],
    ];

    it.each(cases)('%s changes nothing', async (_case, make, field, message) => {
      await useUploadedLeaf();
      const upload = await make();
      const chainFile = path.join(server.dataDir, 'tls', 'uploaded.pem');
      const storedChain = fs.readFileSync(chainFile, 'utf8');
      const settingBefore = (await call('/api/v1/settings/tls')).body;
      const auditBefore = await tlsAuditRows();

      const response = await call('/api/v1/settings/tls', { method: 'PUT', body: uploadBody(upload.chain, upload.key) });
      // A reload, if one were triggered, would land within this wait.
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'invalid_input', field } });
      expect((response.body as { error: { message: string } }).error.message).toMatch(new RegExp(`^${field}: `));
      expect((response.body as { error: { message: string } }).error.message).toMatch(message);
      expect((await call('/api/v1/settings/tls')).body).toEqual(settingBefore);
      expect(await presentedFingerprint()).toBe(leafFingerprint);
      expect(fs.readFileSync(chainFile, 'utf8')).toBe(storedChain);
      expect(await tlsAuditRows()).toHaveLength(auditBefore.length);
    });
  });
});
