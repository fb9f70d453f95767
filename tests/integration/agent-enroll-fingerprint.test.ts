import { X509Certificate, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '@/agent/cli/main';
import { EnrollError, enrollAgent } from '@/agent/enroll';
import { webTlsOptions } from '@/lib/net/tls-options';
import { ensurePki, type PkiMaterial } from '@/lib/pki/ensure-pki';
import { signAgentCsr } from '@/lib/pki/sign-agent-csr';

const TOKEN = 'pmt_enroll-test-token-0123456789';
const AGENT_PORT = 8444;

interface EnrollRequest {
  token: string;
  csr: string;
  hostname: string;
}

let workDir: string;
let pki: PkiMaterial;
let foreignPki: PkiMaterial;
let server: https.Server;
let port: number;
/** Every request the enroll endpoint received, in order. */
const enrollRequests: EnrollRequest[] = [];

/**
 * Stands in for the server's web listener: TLS 1.3 with a certificate from the
 * internal CA for 127.0.0.1 only, `GET /pki/ca.pem`, and an enroll endpoint that
 * signs the CSR for a new host id when the token matches.
 */
function startServer(): Promise<https.Server> {
  const handler: RequestListener = (request, response) => {
    if (request.method === 'GET' && request.url === '/pki/ca.pem') {
      response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pki.caCertPem);
      return;
    }

    if (request.method === 'POST' && request.url === '/api/v1/enroll') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EnrollRequest;
        enrollRequests.push(body);

        if (body.token !== TOKEN) {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'enrollment token is invalid', field: 'token' } }));
          return;
        }

        const hostId = randomUUID();
        signAgentCsr({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, csrPem: body.csr, hostId, validityDays: 30 }).then(
          (issued) => {
            response.writeHead(201, { 'content-type': 'application/json' });
            response.end(
              JSON.stringify({ hostId, certificate: issued.certPem, caCertificate: pki.caCertPem, agentPort: AGENT_PORT, inventoryIntervalSeconds: 300 }),
            );
          },
          (error: Error) => {
            response.writeHead(400, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ error: { code: 'VALIDATION', message: error.message, field: 'csr' } }));
          },
        );
      });
      return;
    }

    response.writeHead(404).end();
  };

  const listener = https.createServer(webTlsOptions({ certPem: pki.webCertPem, keyPem: pki.webKeyPem }), handler);
  return new Promise((resolve) => listener.listen(0, '127.0.0.1', () => resolve(listener)));
}

function captureIo(agentDir: string, env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text), env: { PM_AGENT_DIR: agentDir, ...env } };
}

function withColons(fingerprint: string): string {
  return fingerprint.toUpperCase().match(/../g)!.join(':');
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'pm-agent-enroll-'));
  pki = await ensurePki({ configDir: path.join(workDir, 'server'), hostNames: ['127.0.0.1'] });
  foreignPki = await ensurePki({ configDir: path.join(workDir, 'foreign'), hostNames: ['127.0.0.1'] });
  server = await startServer();
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  enrollRequests.length = 0;
});

describe('pm-agent enroll', () => {
  it('rejects a wrong CA fingerprint before sending the token', async () => {
    const agentDir = path.join(workDir, 'wrong-fingerprint');

    const enrolling = enrollAgent({
      serverUrl: new URL(`https://127.0.0.1:${port}`),
      token: TOKEN,
      caFingerprint: foreignPki.caFingerprint,
      agentDir,
      force: false,
    });

    await expect(enrolling).rejects.toThrow(EnrollError);
    await expect(enrolling).rejects.toThrow(/CA fingerprint does not match --ca-fingerprint.*check the command/);
    expect(enrollRequests).toHaveLength(0);
    await expect(readdir(agentDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('exits 1 on a wrong fingerprint from the command line', async () => {
    const agentDir = path.join(workDir, 'wrong-fingerprint-cli');
    const io = captureIo(agentDir);

    const status = await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--token', TOKEN, '--ca-fingerprint', foreignPki.caFingerprint], io);

    expect(status).toBe(1);
    expect(io.err.join('')).toContain("the server's CA fingerprint does not match");
    expect(enrollRequests).toHaveLength(0);
  });

  it('enrolls with the right fingerprint', async () => {
    const agentDir = path.join(workDir, 'enrolled');
    const io = captureIo(agentDir);

    const status = await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--token', TOKEN, '--ca-fingerprint', withColons(pki.caFingerprint)], io);

    expect(io.err.join('')).toBe('');
    expect(status).toBe(0);
    expect(enrollRequests).toHaveLength(1);
    expect(enrollRequests[0]?.token).toBe(TOKEN);
    expect(enrollRequests[0]?.hostname).toBe(os.hostname());

    const settings = JSON.parse(await readFile(path.join(agentDir, 'agent.json'), 'utf8')) as Record<string, unknown>;
    expect(io.out.join('')).toContain(`Enrolled as host ${String(settings.hostId)}`);
    expect(settings.agentUrl).toBe(`https://127.0.0.1:${AGENT_PORT}`);
    expect(settings.serverUrl).toBe(`https://127.0.0.1:${port}`);
    expect(settings.caFingerprint).toBe(pki.caFingerprint);
    expect(settings.inventoryIntervalSeconds).toBe(300);
  });

  it('writes the key with mode 0600 and never sends it', async () => {
    const agentDir = path.join(workDir, 'modes');

    await enrollAgent({ serverUrl: new URL(`https://127.0.0.1:${port}`), token: TOKEN, caFingerprint: pki.caFingerprint, agentDir, force: false });

    expect((await stat(agentDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(agentDir, 'key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(agentDir, 'agent.json'))).mode & 0o777).toBe(0o600);

    const keyPem = await readFile(path.join(agentDir, 'key.pem'), 'utf8');
    const certificate = new X509Certificate(await readFile(path.join(agentDir, 'cert.pem'), 'utf8'));
    const publicKeyDer = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    expect(certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(publicKeyDer)).toBe(true);
    expect(certificate.verify(new X509Certificate(pki.caCertPem).publicKey)).toBe(true);
    expect(await readFile(path.join(agentDir, 'ca.pem'), 'utf8')).toBe(pki.caCertPem);
    expect(JSON.stringify(enrollRequests)).not.toContain('PRIVATE KEY');
  });

  it('rejects a server certificate for another host name', async () => {
    const agentDir = path.join(workDir, 'wrong-host');

    const enrolling = enrollAgent({ serverUrl: new URL(`https://localhost:${port}`), token: TOKEN, caFingerprint: pki.caFingerprint, agentDir, force: false });

    await expect(enrolling).rejects.toThrow(/enrollment request .* failed: .*(altnames|localhost)/i);
    expect(enrollRequests).toHaveLength(0);
  });

  it('keeps an existing enrollment unless forced', async () => {
    const agentDir = path.join(workDir, 'existing');
    const args = ['enroll', '--server', `https://127.0.0.1:${port}`, '--token', TOKEN, '--ca-fingerprint', pki.caFingerprint];
    expect(await main(args, captureIo(agentDir))).toBe(0);
    const firstKey = await readFile(path.join(agentDir, 'key.pem'), 'utf8');

    const refused = captureIo(agentDir);
    expect(await main(args, refused)).toBe(1);
    expect(refused.err.join('')).toContain('already enrolled');
    expect(await readFile(path.join(agentDir, 'key.pem'), 'utf8')).toBe(firstKey);
    expect(enrollRequests).toHaveLength(1);

    expect(await main([...args, '--force'], captureIo(agentDir))).toBe(0);
    expect(await readFile(path.join(agentDir, 'key.pem'), 'utf8')).not.toBe(firstKey);
  });

  it('reports the server error for a bad token', async () => {
    const agentDir = path.join(workDir, 'bad-token');
    const io = captureIo(agentDir);

    const status = await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--token', 'pmt_not-the-right-token', '--ca-fingerprint', pki.caFingerprint], io);

    expect(status).toBe(1);
    expect(io.err.join('')).toMatch(/HTTP 401.*enrollment token is invalid.*create a new enrollment token/);
    await expect(stat(path.join(agentDir, 'agent.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads the token from PM_ENROLL_TOKEN', async () => {
    const agentDir = path.join(workDir, 'token-from-env');
    const io = captureIo(agentDir, { PM_ENROLL_TOKEN: TOKEN });

    const status = await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--ca-fingerprint', pki.caFingerprint], io);

    expect(io.err.join('')).toBe('');
    expect(status).toBe(0);
    expect(enrollRequests.map((request) => request.token)).toEqual([TOKEN]);
  });

  it('prefers a token file over PM_ENROLL_TOKEN', async () => {
    const agentDir = path.join(workDir, 'token-file-over-env');
    const tokenFile = path.join(workDir, 'token-file');
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const io = captureIo(agentDir, { PM_ENROLL_TOKEN: 'pmet_stale-token-from-the-shell' });

    const status = await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--token-file', tokenFile, '--ca-fingerprint', pki.caFingerprint], io);

    expect(status).toBe(0);
    expect(enrollRequests.map((request) => request.token)).toEqual([TOKEN]);
  });

  it('exits 2 without any token', async () => {
    const empty = captureIo(path.join(workDir, 'empty-env'), { PM_ENROLL_TOKEN: ' ' });
    const missing = captureIo(path.join(workDir, 'no-token'));

    expect(await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--ca-fingerprint', pki.caFingerprint], empty)).toBe(2);
    expect(await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--ca-fingerprint', pki.caFingerprint], missing)).toBe(2);
    expect(empty.err.join('')).toContain('PM_ENROLL_TOKEN is empty; set it to the enrollment token from the console');
    expect(missing.err.join('')).toContain('missing enrollment token; set PM_ENROLL_TOKEN');
    expect(enrollRequests).toHaveLength(0);
  });

  it('exits 2 for a malformed fingerprint', async () => {
    const io = captureIo(path.join(workDir, 'usage'));

    const status = await main(['enroll', '--server', `https://127.0.0.1:${port}`, '--token', TOKEN, '--ca-fingerprint', 'abc123'], io);

    expect(status).toBe(2);
    expect(io.err.join('')).toContain('invalid --ca-fingerprint');
    expect(enrollRequests).toHaveLength(0);
  });
});
