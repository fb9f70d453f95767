import { execFile } from 'node:child_process';
import { X509Certificate as NodeX509Certificate, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentChannel } from '@/agent/channel';
import { revokeCertificate } from '@/lib/certificates/revoke-certificate';
import type { Context } from '@/lib/context';
import { auditLog, certificates, hosts } from '@/lib/db/schema';
import { removeHost } from '@/lib/hosts/remove-host';
import { ensurePki } from '@/lib/pki/ensure-pki';
import { createCsr } from '@/lib/pki/issue-test-client';
import { revocationUrls } from '@/lib/pki/revocation-urls';
import { canonicalSerial } from '@/lib/pki/serial';
import { signAgentCsr } from '@/lib/pki/sign-agent-csr';
import * as x509 from '@/lib/pki/x509';
import { agentExchange } from '../helpers/agent-tls-client';
import { runAgent, waitFor, type AgentProcess } from '../helpers/agent-process';
import { createAptTestRoot, type AptTestRoot } from '../helpers/apt-repo';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { issueCustomCertificate } from '../helpers/test-certificates';

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;

let database: TestDatabase;
let server: ServerProcess;
let ca: { certPem: string; keyPem: string };
let foreignCa: { certPem: string; keyPem: string };
let workDir: string;
let ctx: Context;
let admin: SignedIn;

interface HostIdentity {
  hostId: string;
  certificateId: string;
  serial: string;
  certPem: string;
  keyPem: string;
}

/** Creates a host and its active certificate the way enrollment stores them. */
async function enrollDirectly(hostname: string, options: { notBefore?: Date; notAfter?: Date } = {}): Promise<HostIdentity> {
  const [host] = await database.db.insert(hosts).values({ hostname }).returning({ id: hosts.id });
  const hostId = host!.id;

  let issued: { certPem: string; keyPem: string };
  if (options.notBefore && options.notAfter) {
    issued = await issueCustomCertificate({
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      hostId,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    });
  } else {
    const { keyPem, csrPem } = await createCsr();
    const signed = await signAgentCsr({
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      csrPem,
      hostId,
      validityDays: 30,
      revocationUrls: revocationUrls(server.webUrl),
    });
    issued = { certPem: signed.certPem, keyPem };
  }

  const certificate = new x509.X509Certificate(issued.certPem);
  const serial = canonicalSerial(certificate.serialNumber);
  const [row] = await database.db
    .insert(certificates)
    .values({
      hostId,
      serial,
      fingerprint: Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex'),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      pem: issued.certPem,
    })
    .returning({ id: certificates.id });
  return { hostId, certificateId: row!.id, serial, ...issued };
}

function exchange(identity: { certPem: string; keyPem: string }, session?: Buffer) {
  return agentExchange({ port: server.agentPort, ca: server.caCertPem, cert: identity.certPem, key: identity.keyPem, session });
}

function fetchBytes(pathname: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = https.get(`${server.webUrl}${pathname}`, { ca: server.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
  });
}

/** Waits until the published CRL lists the serial and the agent listener refuses the certificate in the handshake. */
async function waitForHandshakeRefusal(identity: HostIdentity): Promise<void> {
  await waitFor(
    `CRL listing ${identity.serial}`,
    async () => ((await crlText()).includes(serialPattern(identity.serial)) ? true : undefined),
    15_000,
  );
  await waitFor(
    `handshake refusal of ${identity.serial}`,
    async () => ((await exchange(identity)).status === undefined ? true : undefined),
    15_000,
  );
}

async function crlText(format: 'DER' | 'PEM' = 'DER'): Promise<string> {
  const file = path.join(workDir, `crl-${randomUUID()}.${format.toLowerCase()}`);
  const { body } = await fetchBytes(format === 'DER' ? '/pki/crl.der' : '/pki/crl.pem');
  await writeFile(file, body);
  const { stdout } = await run('openssl', ['crl', '-inform', format, '-in', file, '-noout', '-text']);
  return stdout.toUpperCase();
}

/** OpenSSL prints serials in upper case, padded to whole octets. */
function serialPattern(serial: string): string {
  return (serial.length % 2 === 0 ? serial : `0${serial}`).toUpperCase();
}

/** Sends a DER body to the web listener and returns the response bytes and content type. */
function postBytes(pathname: string, body: Buffer, contentType: string): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${server.webUrl}${pathname}`,
      { method: 'POST', ca: server.caCertPem, agent: false, headers: { 'content-type': contentType, 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Writes an OCSP request for the identity's certificate with OpenSSL, without sending it. */
async function ocspRequestDer(identity: HostIdentity): Promise<{ dir: string; der: Buffer }> {
  const dir = path.join(workDir, `ocsp-${randomUUID()}`);
  await mkdir(dir);
  await writeFile(path.join(dir, 'ca.pem'), ca.certPem);
  await writeFile(path.join(dir, 'host.pem'), identity.certPem);
  await run('openssl', ['ocsp', '-issuer', 'ca.pem', '-cert', 'host.pem', '-reqout', 'request.der'], { cwd: dir, timeout: 20_000 });
  return { dir, der: fs.readFileSync(path.join(dir, 'request.der')) };
}

/**
 * Checks an OCSP response with OpenSSL (signature and the status of host.pem) and
 * returns OpenSSL's report. `-no_nonce` because OpenSSL compares the response with a
 * new request of its own here, whose nonce differs from the one sent.
 */
async function ocspResponseText(dir: string, response: Buffer): Promise<string> {
  const file = path.join(dir, `response-${randomUUID()}.der`);
  await writeFile(file, response);
  const { stdout, stderr } = await run(
    'openssl',
    ['ocsp', '-issuer', 'ca.pem', '-cert', 'host.pem', '-no_nonce', '-respin', file, '-CAfile', 'ca.pem'],
    { cwd: dir, timeout: 20_000 },
  );
  return `${stdout}${stderr}`;
}

async function ocspStatus(identity: HostIdentity): Promise<string> {
  const dir = path.join(workDir, `ocsp-${randomUUID()}`);
  await mkdir(dir);
  await writeFile(path.join(dir, 'ca.pem'), ca.certPem);
  await writeFile(path.join(dir, 'host.pem'), identity.certPem);
  const { stdout, stderr } = await run(
    'openssl',
    ['ocsp', '-issuer', 'ca.pem', '-cert', 'host.pem', '-url', `${server.webUrl}/pki/ocsp`, '-CAfile', 'ca.pem', '-resp_text'],
    { cwd: dir, timeout: 20_000 },
  );
  return `${stdout}${stderr}`;
}

/** Sends a console API request as the Admin. */
function api(pathname: string, options: { method?: string; body?: unknown; session?: SignedIn } = {}): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${pathname}`, {
    method: options.method,
    body: options.body,
    authorization: (options.session ?? admin).bearer,
    ca: server.caCertPem,
  });
}

/** Sends a JSON POST over the agent listener with the identity's client certificate. */
function agentPost(identity: { certPem: string; keyPem: string }, pathname: string, body: unknown): Promise<JsonResponse> {
  return requestJson(`https://localhost:${server.agentPort}${pathname}`, {
    body,
    ca: server.caCertPem,
    cert: identity.certPem,
    key: identity.keyPem,
  });
}

/** Returns the SubjectPublicKeyInfo DER of a PEM certificate. */
function publicKeyDer(certPem: string): Buffer {
  return Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData);
}

async function auditRows(action: string, targetId: string): Promise<{ details: Record<string, unknown> }[]> {
  return database.sql`select details from audit_log where action = ${action} and target_id = ${targetId} order by id`;
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-cert-lifecycle-'));
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  ca = {
    certPem: server.caCertPem,
    keyPem: fs.readFileSync(path.join(server.dataDir, 'ca', 'ca.key'), 'utf8'),
  };
  const foreign = await ensurePki({ configDir: path.join(workDir, 'foreign'), hostNames: ['localhost'] });
  foreignCa = { certPem: foreign.caCertPem, keyPem: foreign.caKeyPem };
  ctx = { actor: { kind: 'system', name: 'certificate-test' }, db: database.db };
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe('agent listener handshake', () => {
  it('accepts a valid certificate', async () => {
    const identity = await enrollDirectly('valid-host');

    const result = await exchange(identity);

    expect(result.status, result.error).toBe(200);
  });

  it('refuses an expired certificate', async () => {
    const identity = await enrollDirectly('expired-host', {
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });

    const result = await exchange(identity);

    expect(result.status).toBeUndefined();
  });

  it('refuses a not yet valid certificate', async () => {
    const identity = await enrollDirectly('future-host', {
      notBefore: new Date(Date.now() + DAY_MS),
      notAfter: new Date(Date.now() + 30 * DAY_MS),
    });

    const result = await exchange(identity);

    expect(result.status).toBeUndefined();
  });

  it('refuses a certificate from a foreign CA', async () => {
    const client = await issueCustomCertificate({
      caCertPem: foreignCa.certPem,
      caKeyPem: foreignCa.keyPem,
      hostId: randomUUID(),
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    });

    const result = await exchange(client);

    expect(result.status).toBeUndefined();
  });

  it('refuses a server-auth-only certificate', async () => {
    const client = await issueCustomCertificate({
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      hostId: randomUUID(),
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      extendedKeyUsages: [x509.ExtendedKeyUsage.serverAuth],
    });

    const result = await exchange(client);

    expect(result.status).toBeUndefined();
  });

  it('refuses a revoked certificate', async () => {
    const identity = await enrollDirectly('revoked-host');
    expect((await exchange(identity)).status).toBe(200);

    await revokeCertificate(ctx, { certificateId: identity.certificateId, reason: 'keyCompromise' });

    // The database check refuses at once; the CRL in the handshake follows within moments.
    expect((await exchange(identity)).status).not.toBe(200);
    await waitForHandshakeRefusal(identity);
  });

  it('closes the channel of a certificate revoked while connected', async () => {
    const identity = await enrollDirectly('connected-host');
    const socket = new WebSocket(`wss://localhost:${server.agentPort}/agent/v1/channel`, {
      cert: identity.certPem,
      key: identity.keyPem,
      ca: server.caCertPem,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'hello', agentVersion: 'test' }));
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      socket.once('close', (code) => resolve({ code, at: Date.now() })),
    );
    await waitFor('the hello to mark the host online', async () => {
      const [row] = await database.sql<{ status: string }[]>`select status from hosts where hostname = 'connected-host'`;
      return row?.status === 'online' ? true : undefined;
    });

    const revokedAt = Date.now();
    await revokeCertificate(ctx, { serial: identity.serial, reason: 'privilegeWithdrawn' });
    const { code, at } = await closed;

    expect(code).toBe(4001);
    expect(at - revokedAt).toBeLessThan(5_000);
    const [host] = await database.sql<{ status: string }[]>`select h.status from hosts h join certificates c on c.host_id = h.id where c.serial = ${identity.serial}`;
    expect(host?.status).toBe('offline');
  });

  it('refuses a revoked certificate resuming a TLS session', async () => {
    const identity = await enrollDirectly('resuming-host');
    const first = await exchange(identity);
    expect(first.status).toBe(200);
    expect(first.session).toBeDefined();
    const resumed = await exchange(identity, first.session);
    expect(resumed.reused).toBe(true);
    expect(resumed.status).toBe(200);

    await revokeCertificate(ctx, { certificateId: identity.certificateId, reason: 'keyCompromise' });
    await waitForHandshakeRefusal(identity);
    const attempt = await exchange(identity, first.session);

    // The ticket still decrypts, so TLS resumes, and the listener ends the session before any request.
    expect(attempt.reused).toBe(true);
    expect(attempt.status).toBeUndefined();
    await server.waitForOutput(`certificate ${identity.serial} is revoked`);
  });

  it('refuses an expired resumed session', async () => {
    const identity = await enrollDirectly('short-lived-host', {
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + 3_000),
    });
    const first = await exchange(identity);
    expect(first.status).toBe(200);
    expect(first.session).toBeDefined();

    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const attempt = await exchange(identity, first.session);

    expect(attempt.reused).toBe(true);
    expect(attempt.status).toBeUndefined();
    await server.waitForOutput(new RegExp(`certificate ${identity.serial} expired at`));
  });

  it('resumes a session after a restart', { timeout: 120_000 }, async () => {
    const identity = await enrollDirectly('restart-host');
    const first = await exchange(identity);
    expect(first.status).toBe(200);
    const keysFile = path.join(server.dataDir, 'tls', 'agent-tickets.key');
    expect((await stat(keysFile)).mode & 0o777).toBe(0o600);
    const keys = await readFile(keysFile, 'utf8');

    await server.restart();
    const resumed = await exchange(identity, first.session);

    expect(await readFile(keysFile, 'utf8')).toBe(keys);
    expect(resumed.reused).toBe(true);
    expect(resumed.status).toBe(200);
  });

  it('tells a revoked agent to re-enroll once', { timeout: 60_000 }, async () => {
    const identity = await enrollDirectly('rejected-host');
    await revokeCertificate(ctx, { certificateId: identity.certificateId, reason: 'cessationOfOperation' });
    await waitForHandshakeRefusal(identity);
    const lines: Array<{ event?: string; level: number; msg: string; reason?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const revoked = { cert: identity.certPem, key: identity.keyPem, ca: server.caCertPem };
    // The files on disk: the revoked certificate until the host is enrolled again.
    let onDisk = revoked;
    const channel = new AgentChannel({
      agentUrl: `https://127.0.0.1:${server.agentPort}`,
      tls: revoked,
      agentVersion: 'rejected-test',
      log: pino({ level: 'info' }, sink),
      onMessage: () => {},
      onConnected: () => {},
      backoff: { baseMs: 50, capMs: 100 },
      reloadCredentials: () => Promise.resolve(onDisk),
    });

    channel.start();
    try {
      await waitFor('six rejected attempts', async () => (lines.filter((line) => line.event === 'channel.disconnected').length >= 6 ? true : undefined), 30_000);
      const enrolledAgain = await enrollDirectly('rejected-host-again');
      onDisk = { cert: enrolledAgain.certPem, key: enrolledAgain.keyPem, ca: server.caCertPem };
      await waitFor('connection with the new certificate', async () => (channel.connected ? true : undefined), 30_000);
    } finally {
      await channel.stop();
    }

    const hints = lines.filter((line) => line.event === 'channel.certificate_rejected');
    expect(hints).toHaveLength(1);
    expect(hints[0]!.level).toBe(50);
    expect(hints[0]!.msg).toContain('Re-enroll on the Certificates page');
    expect(hints[0]!.msg).toContain('3 connections in a row');
    expect(hints[0]!.msg).toContain('reads its certificate files again before each retry');
    expect(lines.filter((line) => line.event === 'channel.credentials_reloaded')).toHaveLength(1);
  });

  it('refuses the certificate of a removed host', async () => {
    const identity = await enrollDirectly('removed-host');

    const removal = await removeHost(ctx, { hostId: identity.hostId });

    expect(removal.revokedSerials).toEqual([identity.serial]);
    await waitForHandshakeRefusal(identity);
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'host.remove'));
    expect(audit?.targetId).toBe(identity.hostId);
  });
});

describe('CRL and OCSP', () => {
  it('CRL parses in DER and PEM and lists a revoked serial', async () => {
    const identity = await enrollDirectly('crl-host');
    await revokeCertificate(ctx, { certificateId: identity.certificateId, reason: 'affiliationChanged' });
    await waitFor('CRL update', async () => ((await crlText('DER')).includes(serialPattern(identity.serial)) ? true : undefined), 15_000);

    const der = await crlText('DER');
    const pem = await crlText('PEM');

    expect(der).toContain(serialPattern(identity.serial));
    expect(pem).toContain(serialPattern(identity.serial));
    expect(der).toMatch(/NEXT UPDATE: /);
    expect(der).toMatch(/X509V3 CRL NUMBER:/);
    expect(der).toContain('AFFILIATION CHANGED');
  });

  it('CRL signature verifies against the CA', async () => {
    const file = path.join(workDir, 'verify.crl');
    await writeFile(file, (await fetchBytes('/pki/crl.pem')).body);
    await writeFile(path.join(workDir, 'ca.pem'), ca.certPem);

    const { stderr, stdout } = await run('openssl', ['crl', '-in', file, '-CAfile', path.join(workDir, 'ca.pem'), '-noout']);

    expect(`${stdout}${stderr}`).toContain('verify OK');
  });

  it('issued certificates name the CRL and OCSP URLs', async () => {
    const identity = await enrollDirectly('url-host');
    const file = path.join(workDir, 'url-host.pem');
    await writeFile(file, identity.certPem);

    const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-ext', 'crlDistributionPoints,authorityInfoAccess']);

    expect(stdout).toContain(`${server.webUrl}/pki/crl.der`);
    expect(stdout).toContain(`OCSP - URI:${server.webUrl}/pki/ocsp`);
  });

  it('OCSP answers good for a valid certificate', async () => {
    const identity = await enrollDirectly('ocsp-good-host');

    const output = await ocspStatus(identity);

    expect(output).toContain('Response verify OK');
    expect(output).toContain('host.pem: good');
  });

  it('OCSP responses are signed by a delegated responder', async () => {
    const identity = await enrollDirectly('ocsp-signer-host');

    const output = await ocspStatus(identity);

    // -resp_text prints the certificates the response carries: the signer, not the CA.
    expect(output).toMatch(/Subject: ?CN ?= ?Patch Manager OCSP Responder/);
    expect(output).toMatch(/X509v3 Extended Key Usage:\s*\n\s*OCSP Signing\s*\n/);
    expect(output).toContain('OCSP No Check');
    expect(output).toContain('Response verify OK');
  });

  it('OCSP answers revoked for a revoked certificate', async () => {
    const identity = await enrollDirectly('ocsp-revoked-host');
    await revokeCertificate(ctx, { certificateId: identity.certificateId, reason: 'keyCompromise' });

    const output = await ocspStatus(identity);

    expect(output).toContain('Response verify OK');
    expect(output).toContain('host.pem: revoked');
    expect(output).toMatch(/Reason: keyCompromise/);
  });
});

describe('OCSP GET form', () => {
  it.each([
    ['good', 'a valid', false],
    ['revoked', 'a revoked', true],
  ])('answers %s like POST for %s certificate', async (status, _label, revoke) => {
    const identity = await enrollDirectly(`ocsp-get-${status}-host`);
    if (revoke) {
      await revokeCertificate(ctx, { certificateId: identity.certificateId, reason: 'keyCompromise' });
    }
    const { dir, der } = await ocspRequestDer(identity);

    const posted = await postBytes('/pki/ocsp', der, 'application/ocsp-request');
    const fetched = await fetchBytes(`/pki/ocsp/${encodeURIComponent(der.toString('base64'))}`);
    const postedText = await ocspResponseText(dir, posted.body);
    const fetchedText = await ocspResponseText(dir, fetched.body);

    expect(posted.status).toBe(200);
    expect(fetched.status).toBe(200);
    expect(postedText).toContain('Response verify OK');
    expect(postedText).toContain(`host.pem: ${status}`);
    expect(fetchedText).toContain('Response verify OK');
    expect(fetchedText).toContain(`host.pem: ${status}`);
  });

  it('accepts a request whose base64 is not URL-encoded', async () => {
    const identity = await enrollDirectly('ocsp-get-raw-host');
    // Find a request whose base64 contains "/" and "+", which split and alter a path when
    // sent unencoded. An empty segment ("//") or a leading or trailing "/" is collapsed by
    // URL normalisation and cannot be recovered by any server, so such requests are skipped.
    const usable = (text: string) => /\/.*\+|\+.*\//.test(text) && !text.includes('//') && !text.startsWith('/') && !text.endsWith('/');
    let request = await ocspRequestDer(identity);
    for (let attempt = 0; attempt < 80 && !usable(request.der.toString('base64')); attempt++) {
      request = await ocspRequestDer(identity);
    }
    const encoded = request.der.toString('base64');
    expect(usable(encoded)).toBe(true);

    const fetched = await fetchBytes(`/pki/ocsp/${encoded}`);
    const text = await ocspResponseText(request.dir, fetched.body);

    expect(fetched.status).toBe(200);
    expect(text).toContain('Response verify OK');
    expect(text).toContain('host.pem: good');
  });

  it('answers malformedRequest to a path that is not base64 DER', async () => {
    const fetched = await fetchBytes('/pki/ocsp/not-an-ocsp-request');

    expect(fetched.status).toBe(200);
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED malformedRequest (1) } without responseBytes.
    expect(fetched.body.toString('hex')).toBe('30030a0101');
  });
});

describe('certificates API', () => {
  it('lists serial, fingerprint, validity and status', async () => {
    const active = await enrollDirectly('listed-active-host');
    const revoked = await enrollDirectly('listed-revoked-host');
    await revokeCertificate(ctx, { certificateId: revoked.certificateId, reason: 'cessationOfOperation' });
    const certificate = new NodeX509Certificate(active.certPem);

    const response = await api('/api/v1/certificates');
    const listed = (response.body as { certificates: Record<string, unknown>[] }).certificates;

    expect(response.status, response.text).toBe(200);
    expect(listed.find((row) => row.id === active.certificateId)).toMatchObject({
      hostId: active.hostId,
      hostname: 'listed-active-host',
      serial: active.serial,
      fingerprint: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
      notBefore: new Date(certificate.validFrom).toISOString(),
      notAfter: new Date(certificate.validTo).toISOString(),
      status: 'active',
      revocationReason: null,
    });
    expect(listed.find((row) => row.id === revoked.certificateId)).toMatchObject({
      serial: revoked.serial,
      status: 'revoked',
      revocationReason: 'cessationOfOperation',
    });
  });

  it('filters by search, status and host, one page at a time', async () => {
    const alpha = await enrollDirectly('filter-alpha');
    const beta = await enrollDirectly('filter-beta');
    await revokeCertificate(ctx, { certificateId: beta.certificateId, reason: 'cessationOfOperation' });
    const ids = async (query: string) => {
      const response = await api(`/api/v1/certificates?${query}`);
      expect(response.status, response.text).toBe(200);
      const body = response.body as { total: number; certificates: { id: string }[] };
      return { total: body.total, ids: body.certificates.map((row) => row.id) };
    };

    expect(await ids('search=filter-')).toEqual({ total: 2, ids: [beta.certificateId, alpha.certificateId] });
    expect(await ids('search=filter-&status=revoked')).toEqual({ total: 1, ids: [beta.certificateId] });
    expect(await ids(`hostId=${alpha.hostId}`)).toEqual({ total: 1, ids: [alpha.certificateId] });
    expect((await ids(`search=${alpha.serial.slice(0, 12).toUpperCase()}`)).ids).toContain(alpha.certificateId);
    expect(await ids('search=filter-&pageSize=1&page=2')).toEqual({ total: 2, ids: [alpha.certificateId] });

    const page = await requestJson(`${server.webUrl}/certificates?q=filter-alpha`, { ca: server.caCertPem, cookie: admin.cookie });
    expect(page.text).toContain(alpha.serial);
    expect(page.text).not.toContain(beta.serial);
  });

  it('list names a bad filter', async () => {
    const badStatus = await api('/api/v1/certificates?status=expired');
    const unknown = await api('/api/v1/certificates?serial=abc');

    expect(badStatus.status).toBe(400);
    expect(badStatus.body).toMatchObject({ error: { field: 'status', message: 'status: expected active, revoked or superseded' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { field: 'serial' } });
    const nul = await api('/api/v1/certificates?search=%00');
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ error: { field: 'search' } });
    const page = await requestJson(`${server.webUrl}/certificates?q=%00`, { ca: server.caCertPem, cookie: admin.cookie });
    expect(page.status).toBe(200);
  });

  it('list rejects an Operator', async () => {
    const operator = await signIn(server, await createTestUser(database.db, { role: 'operator' }));

    const response = await api('/api/v1/certificates', { session: operator });

    expect(response.status).toBe(403);
  });

  it('bundle holds host and CA certificates only', async () => {
    const identity = await enrollDirectly('bundle-host');

    const response = await api(`/api/v1/certificates/${identity.certificateId}/bundle`);
    const blocks = response.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const audits = await auditRows('certificate.download', identity.certificateId);

    expect(response.status, response.text).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-pem-file');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="bundle-host-${identity.serial}.pem"`);
    expect(blocks).toEqual([identity.certPem.trim(), ca.certPem.trim()]);
    expect(response.text).not.toContain('PRIVATE KEY');
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details).toMatchObject({ hostId: identity.hostId, serial: identity.serial });
  });

  it('revoke rejects an unknown reason', async () => {
    const identity = await enrollDirectly('bad-reason-host');

    const response = await api(`/api/v1/certificates/${identity.certificateId}/revoke`, { body: { reason: 'stolen' } });
    const error = (response.body as { error: { field?: string; message: string } }).error;

    expect(response.status, response.text).toBe(400);
    expect(error.field).toBe('reason');
    expect(error.message).toMatch(/^reason: expected one of .*keyCompromise/);
    expect((await exchange(identity)).status).toBe(200);
    expect(await auditRows('certificate.revoke', identity.certificateId)).toEqual([]);
  });

  it('revoke records the reason once', async () => {
    const identity = await enrollDirectly('api-revoked-host');

    const response = await api(`/api/v1/certificates/${identity.certificateId}/revoke`, { body: { reason: 'privilegeWithdrawn' } });
    const again = await api(`/api/v1/certificates/${identity.certificateId}/revoke`, { body: { reason: 'keyCompromise' } });
    const audits = await auditRows('certificate.revoke', identity.certificateId);

    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ serial: identity.serial, reason: 'privilegeWithdrawn' });
    expect(again.status, again.text).toBe(409);
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details).toMatchObject({ serial: identity.serial, reason: 'privilegeWithdrawn', previousStatus: 'active' });
    await waitForHandshakeRefusal(identity);
  });

  it('re-enroll returns a one-use command', async () => {
    const identity = await enrollDirectly('reenroll-host');

    const response = await api('/api/v1/certificates/reenroll', { body: { hostId: identity.hostId } });
    const created = response.body as { tokenId: string; enrollCommand: string };
    const token = /PM_ENROLL_TOKEN=(\S+)/.exec(created.enrollCommand)?.[1];
    const audits = await auditRows('enrollment_token.create', created.tokenId);
    const [stored] = await database.sql<{ max_uses: number; host_id: string }[]>`select max_uses, host_id from enrollment_tokens where id = ${created.tokenId}`;

    expect(response.status, response.text).toBe(201);
    expect(created.enrollCommand).toContain(`--ca-fingerprint ${server.caFingerprint}`);
    expect(created.enrollCommand).toContain('node /opt/pm-agent/pm-agent.mjs enroll');
    expect(created.enrollCommand).toMatch(/ --force$/);
    expect(token).toBeDefined();
    expect(stored?.max_uses).toBe(1);
    expect(stored?.host_id).toBe(identity.hostId);
    expect(await auditRows('certificate.issue', identity.hostId)).toEqual([]);
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details).toMatchObject({ purpose: 're-enroll', hostId: identity.hostId });
    expect(JSON.stringify(audits)).not.toContain(token);
  });

  it('re-enroll keeps the host, its groups and supersedes its certificate', async () => {
    const identity = await enrollDirectly('lost-key-host');
    const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values ('lost-key-group') returning id`;
    await database.sql`insert into host_group_members (group_id, host_id) values (${group!.id}, ${identity.hostId})`;
    const created = (await api('/api/v1/certificates/reenroll', { body: { hostId: identity.hostId } })).body as { enrollCommand: string };
    const token = /PM_ENROLL_TOKEN=(\S+)/.exec(created.enrollCommand)![1]!;
    const { csrPem } = await createCsr();

    const enrolled = await requestJson(`${server.webUrl}/api/v1/enroll`, { body: { token, csr: csrPem, hostname: 'lost-key-host-renamed' }, ca: server.caCertPem });

    expect(enrolled.status, enrolled.text).toBe(201);
    expect((enrolled.body as { hostId: string }).hostId).toBe(identity.hostId);
    const rows = await database.sql<{ serial: string; status: string }[]>`select serial, status from certificates where host_id = ${identity.hostId} order by created_at`;
    expect(rows.map((row) => row.status)).toEqual(['superseded', 'active']);
    const [host] = await database.sql<{ hostname: string }[]>`select hostname from hosts where id = ${identity.hostId}`;
    expect(host?.hostname).toBe('lost-key-host-renamed');
    const [counted] = await database.sql<{ hosts: number }[]>`select count(*)::int as hosts from hosts where hostname like 'lost-key-host%'`;
    expect(counted?.hosts).toBe(1);
    const [membership] = await database.sql`select 1 from host_group_members where host_id = ${identity.hostId} and group_id = ${group!.id}`;
    expect(membership).toBeDefined();
    const issued = await database.sql<{ details: Record<string, unknown> }[]>`
      select details from audit_log where action = 'certificate.issue' and details->>'hostId' = ${identity.hostId}`;
    expect(issued.map((row) => row.details)).toEqual([expect.objectContaining({ method: 're-enroll', previousHostname: 'lost-key-host', hostname: 'lost-key-host-renamed', supersededSerials: [identity.serial], serial: rows[1]!.serial })]);
    expect(await auditRows('host.enroll', identity.hostId)).toEqual([]);
    await waitForHandshakeRefusal(identity);
  });

  it('re-enroll token of a removed host is refused', async () => {
    const identity = await enrollDirectly('removed-before-reenroll');
    const created = (await api('/api/v1/certificates/reenroll', { body: { hostId: identity.hostId } })).body as { enrollCommand: string };
    const token = /PM_ENROLL_TOKEN=(\S+)/.exec(created.enrollCommand)![1]!;
    await removeHost(ctx, { hostId: identity.hostId });
    const { csrPem } = await createCsr();

    const enrolled = await requestJson(`${server.webUrl}/api/v1/enroll`, { body: { token, csr: csrPem, hostname: 'removed-before-reenroll' }, ca: server.caCertPem });

    expect(enrolled.status).toBe(401);
    const [counted] = await database.sql<{ hosts: number }[]>`select count(*)::int as hosts from hosts where hostname = 'removed-before-reenroll'`;
    expect(counted?.hosts).toBe(1);
    const [stored] = await database.sql<{ uses: number }[]>`select uses from enrollment_tokens where host_id = ${identity.hostId}`;
    expect(stored?.uses).toBe(0);
  });

  it('re-enroll without a host id names the field', async () => {
    const response = await api('/api/v1/certificates/reenroll', { body: {} });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'hostId', message: 'hostId: expected a UUID' } });
  });

  it('renewal rejects a CSR with the current key', async () => {
    const identity = await enrollDirectly('same-key-host');
    const dir = path.join(workDir, `same-key-${randomUUID()}`);
    await mkdir(dir);
    await writeFile(path.join(dir, 'key.pem'), identity.keyPem, { mode: 0o600 });
    const { stdout: csr } = await run('openssl', ['req', '-new', '-key', 'key.pem', '-subj', `/CN=${identity.hostId}`], { cwd: dir });

    const response = await agentPost(identity, '/agent/v1/certificate/renew', { csr });
    const [row] = await database.db.select({ status: certificates.status }).from(certificates).where(eq(certificates.id, identity.certificateId));

    expect(response.status, response.text).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'csr' } });
    expect((response.body as { error: { message: string } }).error.message).toMatch(/new key pair/);
    expect(row?.status).toBe('active');
  });
});

describe('automatic renewal', () => {
  let agent: AgentProcess | undefined;
  let aptRoot: AptTestRoot | undefined;
  let renewingHostId: string | undefined;

  afterAll(async () => {
    await agent?.stop();
    await aptRoot?.cleanup();
  });

  it('agent renews a short-lived certificate and keeps working', async () => {
    // Valid for 90 s with 10 s already passed, so the default two-thirds point is 50 s from now.
    const now = Date.now();
    const identity = await enrollDirectly('renewing-host', { notBefore: new Date(now - 10_000), notAfter: new Date(now + 80_000) });
    renewingHostId = identity.hostId;
    const agentDir = path.join(workDir, 'agent');
    await mkdir(agentDir, { mode: 0o700 });
    await writeFile(path.join(agentDir, 'key.pem'), identity.keyPem, { mode: 0o600 });
    await writeFile(path.join(agentDir, 'cert.pem'), identity.certPem);
    await writeFile(path.join(agentDir, 'ca.pem'), ca.certPem);
    await writeFile(
      path.join(agentDir, 'agent.json'),
      JSON.stringify({
        serverUrl: server.webUrl,
        agentUrl: `https://localhost:${server.agentPort}`,
        hostId: identity.hostId,
        caFingerprint: server.caFingerprint,
        inventoryIntervalSeconds: 3600,
        enrolledAt: new Date().toISOString(),
      }),
      { mode: 0o600 },
    );
    aptRoot = await createAptTestRoot([]);
    agent = runAgent({ agentDir, env: { PM_AGENT_APT_CONFIG: aptRoot.aptConfigPath, PM_AGENT_INVENTORY_INTERVAL: '3600' } });

    const renewed = await waitFor(
      'renewed certificate',
      async () => {
        const rows = await database.db
          .select({ serial: certificates.serial, status: certificates.status })
          .from(certificates)
          .where(eq(certificates.hostId, identity.hostId));
        return rows.find((row) => row.status === 'active' && row.serial !== identity.serial);
      },
      75_000,
    );

    const [old] = await database.db.select().from(certificates).where(eq(certificates.id, identity.certificateId));
    expect(old?.status).toBe('superseded');
    // The server commits the new certificate before the agent has written it to disk.
    const storedSerial = await waitFor(
      'the renewed certificate on disk',
      async () => {
        const serial = canonicalSerial(new x509.X509Certificate(fs.readFileSync(path.join(agentDir, 'cert.pem'), 'utf8')).serialNumber);
        return serial === renewed.serial ? serial : undefined;
      },
      30_000,
    );
    expect(storedSerial).toBe(renewed.serial);
    expect(fs.statSync(path.join(agentDir, 'key.pem')).mode & 0o777).toBe(0o600);
    await waitFor(
      'agent channel with the renewed certificate',
      async () => (agent!.output().match(/connected to the agent listener/g)?.length ?? 0) >= 2 ? true : undefined,
      30_000,
    );
    const [host] = await database.db.select({ status: hosts.status }).from(hosts).where(eq(hosts.id, identity.hostId));
    expect(host?.status).toBe('online');
    await waitForHandshakeRefusal(identity);
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'certificate.renew'));
    expect(audit?.details).toMatchObject({ previousSerial: identity.serial, serial: renewed.serial });
    const renewedPem = fs.readFileSync(path.join(agentDir, 'cert.pem'), 'utf8');
    expect(publicKeyDer(renewedPem).equals(publicKeyDer(identity.certPem))).toBe(false);
  }, 150_000);

  it('agent renews at once when an Admin asks', async () => {
    expect(renewingHostId, 'the host of the previous test').toBeDefined();
    const [current] = await database.db
      .select({ hostId: certificates.hostId, serial: certificates.serial })
      .from(certificates)
      .where(and(eq(certificates.hostId, renewingHostId!), eq(certificates.status, 'active')));
    expect(current, 'the certificate of the previous renewal').toBeDefined();
    const [host] = await database.db.select({ hostname: hosts.hostname }).from(hosts).where(eq(hosts.id, renewingHostId!));

    const response = await api('/api/v1/certificates/renew', { body: { hostId: current!.hostId } });
    const renewed = await waitFor(
      'the certificate renewed on request',
      async () => {
        const [row] = await database.db
          .select({ serial: certificates.serial })
          .from(certificates)
          .where(and(eq(certificates.hostId, current!.hostId), eq(certificates.status, 'active')));
        return row && row.serial !== current!.serial ? row : undefined;
      },
      30_000,
    );
    const requests = await auditRows('certificate.renew_request', current!.hostId);

    expect(response.status, response.text).toBe(202);
    expect(renewed.serial).not.toBe(current!.serial);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.details).toMatchObject({ hostname: host!.hostname });
  }, 60_000);
});
