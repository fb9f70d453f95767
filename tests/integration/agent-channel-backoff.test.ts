import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentChannel, type ChannelBackoff } from '@/agent/channel';
import { ensurePki } from '@/lib/pki/ensure-pki';
import { issueTestClient } from '@/lib/pki/issue-test-client';
import { freePort } from '../helpers/free-port';

interface RetryLine {
  event: string;
  attempt: number;
  delayMs: number;
  refused: boolean;
}

let workDir: string;
let tls: { cert: string; key: string; ca: string };
const channels: AgentChannel[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-channel-backoff-'));
  const pki = await ensurePki({ configDir: workDir, hostNames: ['127.0.0.1'] });
  const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId: 'backoff-host' });
  tls = { cert: client.certPem, key: client.keyPem, ca: pki.caCertPem };
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});
const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.stop()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Starts a channel to `port` and resolves with its first `count` retry log lines. */
function retriesOf(port: number, backoff: ChannelBackoff, count: number): Promise<RetryLine[]> {
  return new Promise((resolve) => {
    const retries: RetryLine[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as RetryLine;
          if (entry.event === 'channel.retry' && retries.length < count) {
            retries.push(entry);
            if (retries.length === count) resolve(retries);
          }
        }
        done();
      },
    });
    const channel = new AgentChannel({
      agentUrl: `https://127.0.0.1:${port}`,
      tls,
      agentVersion: 'backoff-test',
      log: pino({ level: 'info' }, sink),
      onMessage: () => {},
      onConnected: () => {},
      backoff,
    });
    channels.push(channel);
    channel.start();
  });
}

describe('agent channel reconnect delays', () => {
  it('keeps the refused ceiling while nothing listens', async () => {
    const port = await freePort();
    const retries = await retriesOf(port, { baseMs: 20, capMs: 100_000, refusedCapMs: 100 }, 8);

    expect(retries.map((retry) => retry.refused)).toEqual(Array(8).fill(true));
    // Without the refused ceiling, attempt 7 alone would draw from 0 to 2,560 ms.
    expect(Math.max(...retries.map((retry) => retry.delayMs))).toBeLessThan(100);
  });

  it('grows the delay normally when the server accepts and drops the connection', async () => {
    const server = net.createServer((socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;

    const retries = await retriesOf(port, { baseMs: 5, capMs: 100_000, refusedCapMs: 1 }, 6);

    expect(retries.map((retry) => retry.refused)).toEqual(Array(6).fill(false));
    expect(retries.map((retry) => retry.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('returns to the normal ceiling once the refusal window has passed', async () => {
    const port = await freePort();
    const retries = await retriesOf(port, { baseMs: 5, capMs: 100_000, refusedCapMs: 1, refusedWindowMs: 0 }, 4);

    expect(retries.map((retry) => retry.refused)).toEqual(Array(4).fill(false));
  });
});
