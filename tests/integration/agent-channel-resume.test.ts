import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type tls from 'node:tls';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentChannel } from '@/agent/channel';
import { agentTlsOptions } from '@/lib/net/tls-options';
import { ensurePki, type PkiMaterial } from '@/lib/pki/ensure-pki';
import { issueTestClient } from '@/lib/pki/issue-test-client';
import { freePort } from '../helpers/free-port';

interface ConnectedLine {
  event: string;
  resumed?: boolean;
}

type Credentials = { cert: string; key: string; ca: string };

let workDir: string;
let pki: PkiMaterial;
let first: Credentials;
let second: Credentials;
const ticketKeys = randomBytes(48);
const channels: AgentChannel[] = [];
const listeners: Array<{ server: https.Server; sockets: WebSocketServer }> = [];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-channel-resume-'));
  pki = await ensurePki({ configDir: workDir, hostNames: ['127.0.0.1'] });
  const issue = async () => {
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'resume-host' });
    return { cert: client.certPem, key: client.keyPem, ca: pki.caCertPem };
  };
  first = await issue();
  second = await issue();
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.stop()));
  await Promise.all(listeners.splice(0).map(stopListener));
});

/**
 * Starts a stand-in for the agent listener: TLS settings from `agentTlsOptions` with fixed
 * ticket keys, and a WebSocket upgrade on the channel path. `refuseResumed` ends every
 * resumed session right after the handshake, as the server does for a revoked certificate.
 */
async function startListener(port: number, options: { refuseResumed?: boolean } = {}): Promise<{ serials: string[] }> {
  const server = https.createServer(
    agentTlsOptions({ caCertPem: pki.caCertPem, certPem: pki.webCertPem, keyPem: pki.webKeyPem, ticketKeys }),
  );
  const seen = { serials: [] as string[] };
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    seen.serials.push(socket.getPeerCertificate(false).serialNumber);
    if (options.refuseResumed && socket.isSessionReused()) socket.destroy();
  });
  const sockets = new WebSocketServer({ server, path: '/agent/v1/channel' });
  sockets.on('connection', (socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  listeners.push({ server, sockets });
  return seen;
}

async function stopListener(listener: { server: https.Server; sockets: WebSocketServer }): Promise<void> {
  for (const client of listener.sockets.clients) client.terminate();
  await new Promise((resolve) => listener.sockets.close(resolve));
  listener.server.closeAllConnections();
  await new Promise((resolve) => listener.server.close(resolve));
}

/** Starts a channel and returns the `resumed` flag of each `channel.connected` line as it arrives. */
function startChannel(port: number, credentials: Credentials, sessionRefreshMs?: number): { channel: AgentChannel; connects: boolean[] } {
  const connects: boolean[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as ConnectedLine;
        if (entry.event === 'channel.connected') connects.push(entry.resumed === true);
      }
      done();
    },
  });
  const channel = new AgentChannel({
    agentUrl: `https://127.0.0.1:${port}`,
    tls: credentials,
    agentVersion: 'resume-test',
    log: pino({ level: 'info' }, sink),
    onMessage: () => {},
    onConnected: () => {},
    backoff: { baseMs: 20, capMs: 200, refusedCapMs: 100 },
    ...(sessionRefreshMs === undefined ? {} : { sessionRefreshMs }),
  });
  channels.push(channel);
  channel.start();
  return { channel, connects };
}

async function waitForConnects(connects: boolean[], count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (connects.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} connections, saw ${connects.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ends the current listener and opens a new one on the same port with the same ticket keys, as a restart does. */
async function restartListener(port: number, options: { refuseResumed?: boolean } = {}): Promise<{ serials: string[] }> {
  await Promise.all(listeners.splice(0).map(stopListener));
  return startListener(port, options);
}

describe('agent channel TLS session resumption', () => {
  it('resumes after a listener restart', async () => {
    const port = await freePort();
    await startListener(port);
    const { connects } = startChannel(port, first);
    await waitForConnects(connects, 1);

    await restartListener(port);
    await waitForConnects(connects, 2);

    expect(connects).toEqual([false, true]);
  });

  it('reconnects to renew its session', async () => {
    const port = await freePort();
    await startListener(port);
    const { connects } = startChannel(port, first, 300);

    await waitForConnects(connects, 3);

    expect(connects.slice(0, 3)).toEqual([false, true, true]);
  });

  it('does not resume after new credentials', async () => {
    const port = await freePort();
    const seen = await startListener(port);
    const { channel, connects } = startChannel(port, first);
    await waitForConnects(connects, 1);

    channel.replaceCredentials(second);
    await waitForConnects(connects, 2);

    expect(connects).toEqual([false, false]);
    const secondSerial = seen.serials.at(-1);
    expect(secondSerial).toBeDefined();
    expect(secondSerial).not.toBe(seen.serials[0]);
  });

  it('drops a rejected session', async () => {
    const port = await freePort();
    await startListener(port);
    const { connects } = startChannel(port, first);
    await waitForConnects(connects, 1);

    await restartListener(port, { refuseResumed: true });
    await waitForConnects(connects, 2);

    expect(connects).toEqual([false, false]);
  });
});
