import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_INVENTORY_BYTES } from '@/lib/agent-protocol/schema';
import { jobHosts, jobs } from '@/lib/db/schema';
import { ensurePki } from '@/lib/pki/ensure-pki';
import { issueTestClient } from '@/lib/pki/issue-test-client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { enrollDirectly } from '../helpers/enroll-directly';
import { startServer, type ServerProcess } from '../helpers/server-process';

// The log lines an operator relies on at the agent listener, read from the real
// server's output: rejected requests, rejected TLS handshakes and job messages the
// database did not take.

const WARN = 40;
const INFO = 30;
const BODY_MARKER = 'body-marker-that-must-not-be-logged';

const SUCCEEDED = {
  exitCode: 0,
  status: 'succeeded',
  failure: null,
  changes: [],
  reboot: { required: 'no', reason: 'kernel is current', packages: [] },
  durationMs: 100,
};

let database: TestDatabase;
let server: ServerProcess;
let caKeyPem: string;
let foreignDir: string;

interface Identity {
  hostId: string;
  certPem: string;
  keyPem: string;
}

type LogLine = Record<string, unknown> & { level: number; msg: string };

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  caKeyPem = fs.readFileSync(path.join(server.dataDir, 'ca', 'ca.key'), 'utf8');
  foreignDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-foreign-ca-'));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  if (foreignDir) fs.rmSync(foreignDir, { recursive: true, force: true });
});

describe('rejected agent requests', () => {
  it('logs a declared body over the limit at warn', async () => {
    const identity = await enroll('declared-too-large');

    const status = await sendOversizedInventory(identity, 'declared');
    const line = await waitForLogLine((entry) => entry.msg === 'rejected an agent request body larger than the limit' && entry.hostId === identity.hostId);

    expect(status).toBe(413);
    expect(line.level).toBe(WARN);
    expect(line).toMatchObject({ address: '127.0.0.1', method: 'POST', path: '/agent/v1/inventory', status: 413, limitBytes: MAX_INVENTORY_BYTES });
    expect(server.output()).not.toContain(BODY_MARKER);
  });

  it('logs a streamed body over the limit at warn', async () => {
    const identity = await enroll('streamed-too-large');

    const status = await sendOversizedInventory(identity, 'chunked');
    const line = await waitForLogLine((entry) => entry.msg === 'rejected an agent request body larger than the limit' && entry.hostId === identity.hostId);

    expect(status).toBe(413);
    expect(line.level).toBe(WARN);
    expect(line).toMatchObject({ address: '127.0.0.1', path: '/agent/v1/inventory', limitBytes: MAX_INVENTORY_BYTES });
    expect(server.output()).not.toContain(BODY_MARKER);
  });

  it('logs another content type at warn', async () => {
    const identity = await enroll('text-plain');

    const status = await agentRequest(identity, { method: 'POST', path: '/agent/v1/inventory', contentType: 'text/plain', body: BODY_MARKER });
    const line = await waitForLogLine((entry) => entry.msg === 'rejected agent request' && entry.hostId === identity.hostId);

    expect(status).toBe(415);
    expect(line.level).toBe(WARN);
    expect(line).toMatchObject({ address: '127.0.0.1', path: '/agent/v1/inventory', status: 415, reason: 'content-type: expected application/json' });
    expect(server.output()).not.toContain(BODY_MARKER);
  });

  it('logs an unknown route at warn', async () => {
    const identity = await enroll('unknown-route');

    const status = await agentRequest(identity, { method: 'GET', path: '/agent/v1/unknown?probe=1' });
    const line = await waitForLogLine((entry) => entry.msg === 'rejected agent request' && entry.hostId === identity.hostId);

    expect(status).toBe(404);
    expect(line.level).toBe(WARN);
    expect(line).toMatchObject({ address: '127.0.0.1', method: 'GET', path: '/agent/v1/unknown', status: 404 });
  });
});

describe('rejected agent upgrades', () => {
  it('logs an unknown upgrade path at warn', async () => {
    const identity = await enroll('unknown-upgrade');

    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`wss://localhost:${server.agentPort}/agent/v1/other?probe=1`, {
        cert: identity.certPem,
        key: identity.keyPem,
        ca: server.caCertPem,
      });
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => reject(new Error('the upgrade to an unknown path was accepted')));
      socket.on('error', () => {});
    });
    const line = await waitForLogLine((entry) => entry.msg === 'rejected an agent upgrade to an unknown path');

    expect(status).toBe(404);
    expect(line.level).toBe(WARN);
    expect(line).toMatchObject({ address: '127.0.0.1', path: '/agent/v1/other', status: 404 });
  });
});

describe('rejected agent handshakes', () => {
  it('names the peer of a foreign certificate', async () => {
    const foreign = await ensurePki({ configDir: foreignDir, hostNames: ['localhost'] });
    const client = await issueTestClient({ caCertPem: foreign.caCertPem, caKeyPem: foreign.caKeyPem, hostId: crypto.randomUUID() });

    const localPort = await attemptHandshake({ localAddress: '127.0.0.1', cert: client.certPem, key: client.keyPem });
    const line = await waitForLogLine((entry) => entry.msg === 'agent TLS handshake rejected' && entry.port === localPort);

    expect(line.level).toBe(WARN);
    expect(line.address).toBe('127.0.0.1');
    expect(line.reason).toBe('client certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('names the peer without a certificate', async () => {
    // Another loopback address, because the log has one line a minute per address.
    const localPort = await attemptHandshake({ localAddress: '127.0.0.2' });
    const line = await waitForLogLine((entry) => entry.msg === 'agent TLS handshake rejected' && entry.port === localPort);

    expect(line.level).toBe(WARN);
    expect(line.address).toBe('127.0.0.2');
    expect(line.reason).toMatch(/peer did not return a certificate/);
  });
});

describe('job messages the database does not take', () => {
  it('logs messages about a foreign job at warn and acknowledges the result', async () => {
    const owner = await enroll('job-owner');
    const stranger = await enroll('job-stranger');
    const ownersJob = await createJob(owner.hostId);
    const unknownJob = crypto.randomUUID();
    const otherUnknownJob = crypto.randomUUID();
    const channel = await openChannel(stranger);

    try {
      channel.send({ type: 'job-started', jobId: unknownJob });
      channel.send({ type: 'output', jobId: otherUnknownJob, lines: [{ seq: 0, stream: 'stdout', line: 'forged' }] });
      channel.send({ type: 'job-result', jobId: ownersJob, outcome: SUCCEEDED });
      const ack = await channel.next('result-ack');

      const started = await waitForLogLine((entry) => entry.jobId === unknownJob && entry.hostId === stranger.hostId);
      const output = await waitForLogLine((entry) => entry.jobId === otherUnknownJob && entry.hostId === stranger.hostId);
      const result = await waitForLogLine((entry) => entry.jobId === ownersJob && entry.hostId === stranger.hostId);
      const [row] = await database.sql<{ status: string }[]>`select status from job_hosts where job_id = ${ownersJob}`;

      expect(ack).toEqual({ type: 'result-ack', jobId: ownersJob });
      expect(started).toMatchObject({ level: WARN, type: 'job-started', address: '127.0.0.1' });
      expect(output).toMatchObject({ level: WARN, type: 'output' });
      expect(result).toMatchObject({ level: WARN, type: 'job-result' });
      expect(result.msg).toMatch(/job this host is not part of/);
      expect(row?.status).toBe('pending');
    } finally {
      channel.close();
    }
  });

  it('logs a resent result of an own job at info', async () => {
    const owner = await enroll('resending-owner');
    const jobId = await createJob(owner.hostId);
    const channel = await openChannel(owner);

    try {
      const pushed = await channel.next('job');
      channel.send({ type: 'job-started', jobId });
      channel.send({ type: 'job-result', jobId, outcome: SUCCEEDED });
      await channel.next('result-ack');
      channel.send({ type: 'job-result', jobId, outcome: SUCCEEDED });
      const secondAck = await channel.next('result-ack');

      const line = await waitForLogLine((entry) => entry.jobId === jobId && entry.hostId === owner.hostId);
      const lines = logLines().filter((entry) => entry.jobId === jobId);

      expect(pushed).toMatchObject({ type: 'job', jobId });
      expect(secondAck).toEqual({ type: 'result-ack', jobId });
      expect(line).toMatchObject({ level: INFO, type: 'job-result' });
      expect(line.msg).toMatch(/closed job of this host/);
      expect(lines.filter((entry) => entry.level >= WARN)).toEqual([]);
    } finally {
      channel.close();
    }
  });
});

/** Creates a host and its active certificate the way enrollment stores them. */
function enroll(hostname: string): Promise<Identity> {
  return enrollDirectly({ db: database.db, hostname, caCertPem: server.caCertPem, caKeyPem, webUrl: server.webUrl });
}

/** Creates a queued refresh job with one pending host and returns its id. */
async function createJob(hostId: string): Promise<string> {
  const [job] = await database.db
    .insert(jobs)
    .values({ action: 'refresh', status: 'queued', timeoutSeconds: 600, createdBy: 'test', deadlineAt: new Date(Date.now() + 600_000) })
    .returning({ id: jobs.id });
  await database.db.insert(jobHosts).values({ jobId: job!.id, hostId, status: 'pending' });
  return job!.id;
}

/** Parses the server's JSON log lines; lines that are not JSON (the start banner) are skipped. */
function logLines(): LogLine[] {
  const entries: LogLine[] = [];
  for (const text of server.output().split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(text) as LogLine);
    } catch {
      // A line still being written.
    }
  }
  return entries;
}

/** Waits for the first log line that matches; the log arrives through a pipe, after the response. */
async function waitForLogLine(matches: (entry: LogLine) => boolean): Promise<LogLine> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = logLines().find(matches);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no matching log line within 10 s; the server output was:\n${server.output().slice(-4000)}`);
}

/** Sends one request with the identity's certificate and resolves with the response status. */
function agentRequest(identity: Identity, options: { method: string; path: string; contentType?: string; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: server.agentPort,
        servername: 'localhost',
        method: options.method,
        path: options.path,
        ca: server.caCertPem,
        cert: identity.certPem,
        key: identity.keyPem,
        agent: false,
        headers: options.contentType ? { 'content-type': options.contentType } : {},
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/**
 * Sends an inventory body over MAX_INVENTORY_BYTES and resolves with the response status.
 * `declared` announces MAX_INVENTORY_BYTES + 1 bytes in Content-Length and sends only the
 * start of the body. `chunked` streams exactly MAX_INVENTORY_BYTES + 1 bytes without a
 * Content-Length. The request never ends: the server closes the connection after its
 * response, and bytes it had not read by then would turn that close into a reset that can
 * arrive before the response.
 */
function sendOversizedInventory(identity: Identity, mode: 'declared' | 'chunked'): Promise<number> {
  const start = Buffer.from(`{"marker":"${BODY_MARKER}",`);
  const total = mode === 'declared' ? start.length : MAX_INVENTORY_BYTES + 1;
  const filler = Buffer.alloc(1024 * 1024, 0x20);

  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: server.agentPort,
        servername: 'localhost',
        method: 'POST',
        path: '/agent/v1/inventory',
        ca: server.caCertPem,
        cert: identity.certPem,
        key: identity.keyPem,
        agent: false,
        headers: { 'content-type': 'application/json', ...(mode === 'declared' ? { 'content-length': String(MAX_INVENTORY_BYTES + 1) } : {}) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          request.destroy();
          resolve(response.statusCode ?? 0);
        });
      },
    );
    request.on('error', reject);

    let sent = 0;
    const writeMore = (): void => {
      while (sent < total) {
        const piece = sent === 0 ? start : filler.subarray(0, Math.min(filler.length, total - sent));
        sent += piece.length;
        if (!request.write(piece)) {
          request.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  });
}

/** Attempts a handshake with the agent listener from `localAddress` and resolves with the client's port once the server ends it. */
function attemptHandshake(options: { localAddress: string; cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve) => {
    const tcpSocket = net.connect({ host: '127.0.0.1', port: server.agentPort, localAddress: options.localAddress });
    let localPort = 0;
    tcpSocket.once('connect', () => (localPort = tcpSocket.localPort ?? 0));
    const socket = tls.connect({ socket: tcpSocket, servername: 'localhost', ca: server.caCertPem, cert: options.cert, key: options.key });
    // TLS 1.3 finishes the client side before the server checks the certificate, so a request follows.
    socket.once('secureConnect', () => socket.write('GET / HTTP/1.1\r\nHost: agent\r\n\r\n'));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => resolve(localPort));
  });
}

/** Opens an agent channel, sends the hello and returns functions to send, to await the server's next message of a type, and to close. */
async function openChannel(identity: Identity): Promise<{
  send: (message: unknown) => void;
  next: (type: string) => Promise<Record<string, unknown>>;
  close: () => void;
}> {
  const socket = new WebSocket(`wss://localhost:${server.agentPort}/agent/v1/channel`, {
    cert: identity.certPem,
    key: identity.keyPem,
    ca: server.caCertPem,
  });
  const received: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (message: Record<string, unknown>) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiters.findIndex((entry) => entry.type === message.type);
    if (waiter >= 0) {
      waiters.splice(waiter, 1)[0]!.resolve(message);
    } else {
      received.push(message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'hello', agentVersion: 'log-test' }));

  return {
    send: (message) => socket.send(JSON.stringify(message)),
    next: (type) => {
      const index = received.findIndex((message) => message.type === type);
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} message from the server within 15 s`)), 15_000);
        waiters.push({
          type,
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message);
          },
        });
      });
    },
    close: () => socket.close(),
  };
}
