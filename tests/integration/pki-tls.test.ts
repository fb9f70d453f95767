import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls, { type TLSSocket } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agentTlsOptions, clientCertificateOk, webTlsOptions } from '@/lib/net/tls-options';
import { ensurePki, type PkiMaterial } from '@/lib/pki/ensure-pki';
import { derFingerprint } from '@/lib/pki/fingerprint';
import { issueTestClient } from '@/lib/pki/issue-test-client';
import { signAgentCsr } from '@/lib/pki/sign-agent-csr';
import { webcrypto } from '@/lib/pki/webcrypto';
import * as x509 from '@/lib/pki/x509';
import { issueCustomCertificate } from '@/tests/helpers/test-certificates';
import { probeOpenSsl, probeTls } from '@/tests/helpers/tls-probes';

const HOST = '127.0.0.1';
const DAY_MS = 24 * 60 * 60 * 1000;

let workDir: string;
let pki: PkiMaterial;
let foreignPki: PkiMaterial;
let webServer: https.Server;
let agentServer: https.Server;
let webPort: number;
let agentPort: number;

/** Responds with the identity that clientCertificateOk extracts, or 403 with its reason. */
function agentHandler(request: IncomingMessage, response: ServerResponse): void {
  const check = clientCertificateOk(request.socket as TLSSocket);
  response.writeHead(check.ok ? 200 : 403, { 'content-type': 'application/json' });
  // The DER goes out as its SHA-256, which the test compares with the issued certificate's fingerprint.
  response.end(JSON.stringify(check.ok ? { ...check, certificateDer: derFingerprint(check.certificateDer) } : check));
}

async function listen(server: https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: https.Server | undefined): Promise<void> {
  if (!server) {
    return;
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Sends GET / to the agent listener with a client identity and returns status and JSON body. */
async function agentRequest(client: { certPem: string; keyPem: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: HOST, port: agentPort, path: '/', cert: client.certPem, key: client.keyPem, ca: pki.caCertPem, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * Sends one raw HTTP request over a fresh TLS connection, optionally resuming `session`,
 * and returns the response text, whether the session was resumed, and the new session.
 */
async function rawAgentExchange(
  client: { certPem: string; keyPem: string },
  session?: Buffer,
): Promise<{ response: string; reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let response = '';
    let nextSession: Buffer | undefined;
    let reused = false;
    const socket = tls.connect({ host: HOST, port: agentPort, cert: client.certPem, key: client.keyPem, ca: pki.caCertPem, session });

    socket.on('session', (ticket: Buffer) => (nextSession = ticket));
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write('GET / HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n');
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ response, reused, session: nextSession }));
  });
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-pki-tls-'));
  pki = await ensurePki({ configDir: path.join(workDir, 'server'), hostNames: ['localhost', HOST, '::1'] });
  foreignPki = await ensurePki({ configDir: path.join(workDir, 'foreign'), hostNames: ['localhost', HOST] });

  webServer = https.createServer(webTlsOptions({ certPem: pki.webCertPem, keyPem: pki.webKeyPem }), (_request, response) => {
    response.end('web');
  });
  agentServer = https.createServer(
    agentTlsOptions({ caCertPem: pki.caCertPem, certPem: pki.webCertPem, keyPem: pki.webKeyPem, ticketKeys: randomBytes(48) }),
    agentHandler,
  );
  webPort = await listen(webServer);
  agentPort = await listen(agentServer);
});

afterAll(async () => {
  await close(webServer);
  await close(agentServer);
  await rm(workDir, { recursive: true, force: true });
});

describe('web listener', () => {
  it('accepts TLS 1.3 with a certificate valid for 127.0.0.1', async () => {
    const result = await probeTls({ host: HOST, port: webPort, ca: pki.caCertPem });

    expect(result).toEqual({ ok: true, protocol: 'TLSv1.3' });
  });

  it('rejects a TLS 1.2 client at the handshake', async () => {
    const result = await probeTls({ host: HOST, port: webPort, maxVersion: 'TLSv1.2' });

    expect(result.ok).toBe(false);
    expect(result.protocol).toBeUndefined();
    expect(result.error).toMatch(/protocol version/i);
  });

  it('openssl: TLS 1.2 fails, TLS 1.3 works', async () => {
    const tls12 = await probeOpenSsl({ host: HOST, port: webPort, versionFlag: '-tls1_2' });
    const tls13 = await probeOpenSsl({ host: HOST, port: webPort, versionFlag: '-tls1_3' });

    expect(tls12.handshakeCompleted, tls12.output).toBe(false);
    expect(tls12.exitCode).not.toBe(0);
    expect(tls12.output).toMatch(/alert protocol version/);
    expect(tls13.handshakeCompleted, tls13.output).toBe(true);
    expect(tls13.output).toContain('Protocol version: TLSv1.3');
  });

  it('rejects a client that trusts another CA', async () => {
    const result = await probeTls({ host: HOST, port: webPort, ca: foreignPki.caCertPem });

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
  });
});

describe('agent listener', () => {
  it('accepts a certificate from signAgentCsr', async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'host-a' });
    const result = await probeTls({ host: HOST, port: agentPort, cert: client.certPem, key: client.keyPem, ca: pki.caCertPem });

    expect(result).toEqual({ ok: true, protocol: 'TLSv1.3' });
  });

  it('resumed session still carries the client identity', async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'host-resume' });
    const first = await rawAgentExchange(client);
    expect(first.session).toBeDefined();
    const second = await rawAgentExchange(client, first.session);

    expect(second.reused).toBe(true);
    expect(second.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(second.response).toContain(`"serial":"${client.serial}"`);
    expect(second.response).toContain('"hostId":"host-resume"');
  });

  it('reports the identity of an accepted client', async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'host-b' });
    const { status, body } = await agentRequest(client);

    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, serial: client.serial, fingerprint: client.fingerprint, hostId: 'host-b', certificateDer: client.fingerprint });
  });

  it('accepts an Ed25519 client key', async () => {
    const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: { name: 'Ed25519' } }, webcrypto);
    const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    const issued = await signAgentCsr({
      caCertPem: pki.caCertPem,
      caKeyPem: pki.caKeyPem,
      csrPem: csr.toString('pem'),
      hostId: 'host-ed',
      validityDays: 30,
    });
    const { status, body } = await agentRequest({ certPem: issued.certPem, keyPem });

    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, hostId: 'host-ed', serial: issued.serial });
  });

  it('rejects a TLS 1.2 client with a valid certificate', async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'host-c' });
    const result = await probeTls({ host: HOST, port: agentPort, maxVersion: 'TLSv1.2', cert: client.certPem, key: client.keyPem });

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/protocol version/i);
  });

  it('openssl: TLS 1.2 fails, TLS 1.3 works with client certificate', async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'host-d' });
    const tls12 = await probeOpenSsl({ host: HOST, port: agentPort, versionFlag: '-tls1_2', cert: client.certPem, key: client.keyPem });
    const tls13 = await probeOpenSsl({ host: HOST, port: agentPort, versionFlag: '-tls1_3', cert: client.certPem, key: client.keyPem });

    expect(tls12.handshakeCompleted, tls12.output).toBe(false);
    expect(tls12.output).toMatch(/alert protocol version/);
    expect(tls13.handshakeCompleted, tls13.output).toBe(true);
  });

  it('rejects a client without a certificate', async () => {
    const result = await probeTls({ host: HOST, port: agentPort });

    expect(result.ok).toBe(false);
    expect(result.protocol).toBe('TLSv1.3');
    expect(result.error).toMatch(/certificate required/i);
  });

  it('rejects a certificate from another CA', async () => {
    const client = await issueTestClient({ caCertPem: foreignPki.caCertPem, caKeyPem: foreignPki.caKeyPem, hostId: 'host-a' });
    const result = await probeTls({ host: HOST, port: agentPort, cert: client.certPem, key: client.keyPem });

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/closed the connection after the handshake|ECONNRESET/);
  });

  it('rejects serverAuth-only certificate', async () => {
    const result = await probeTls({ host: HOST, port: agentPort, cert: pki.webCertPem, key: pki.webKeyPem });

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/closed the connection after the handshake|ECONNRESET/);
  });

  it('rejects an expired certificate', async () => {
    const client = await issueCustomCertificate({
      caCertPem: pki.caCertPem,
      caKeyPem: pki.caKeyPem,
      hostId: 'host-old',
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
      extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    });
    const result = await probeTls({ host: HOST, port: agentPort, cert: client.certPem, key: client.keyPem });

    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/closed the connection after the handshake|ECONNRESET/);
  });

  it('rejects a not yet valid certificate', async () => {
    const client = await issueCustomCertificate({
      caCertPem: pki.caCertPem,
      caKeyPem: pki.caKeyPem,
      hostId: 'host-future',
      notBefore: new Date(Date.now() + DAY_MS),
      notAfter: new Date(Date.now() + 30 * DAY_MS),
      extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    });
    const result = await probeTls({ host: HOST, port: agentPort, cert: client.certPem, key: client.keyPem });

    expect(result.ok).toBe(false);
  });

  it('rejects certificate without EKU extension', async () => {
    const client = await issueCustomCertificate({
      caCertPem: pki.caCertPem,
      caKeyPem: pki.caKeyPem,
      hostId: 'host-no-eku',
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      extendedKeyUsages: null,
    });
    const { status, body } = await agentRequest(client);

    expect(status).toBe(403);
    expect(body).toEqual({ ok: false, reason: 'client certificate lacks the clientAuth extended key usage' });
  });

  it('rejects a certificate whose CN and host URI differ', async () => {
    const client = await issueCustomCertificate({
      caCertPem: pki.caCertPem,
      caKeyPem: pki.caKeyPem,
      hostId: 'host-one',
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
      altNames: [{ type: 'url', value: 'urn:pm:host:host-two' }],
    });
    const { status, body } = await agentRequest(client);

    expect(status).toBe(403);
    expect(body.reason).toMatch(/does not name one host/);
  });

  it('probe verdicts stable over 20 attempts', async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'host-repeat' });
    const verdicts: boolean[] = [];

    for (let attempt = 0; attempt < 20; attempt++) {
      const accepted = await probeTls({ host: HOST, port: agentPort, cert: client.certPem, key: client.keyPem });
      const refused = await probeTls({ host: HOST, port: agentPort });
      verdicts.push(accepted.ok, !refused.ok);
    }

    expect(verdicts.every(Boolean)).toBe(true);
  });
});
