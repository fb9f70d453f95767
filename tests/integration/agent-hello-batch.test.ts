import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jobHosts, jobs } from '@/lib/db/schema';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { enrollDirectly } from '../helpers/enroll-directly';
import { startServer, type ServerProcess } from '../helpers/server-process';

const AGENTS = 50;

let database: TestDatabase;
let server: ServerProcess;
let caKeyPem: string;

interface Identity {
  hostId: string;
  certPem: string;
  keyPem: string;
}

/** Creates a host and its active certificate the way enrollment stores them. */
function enroll(hostname: string): Promise<Identity> {
  return enrollDirectly({ db: database.db, hostname, caCertPem: server.caCertPem, caKeyPem, webUrl: server.webUrl });
}

/** Opens a channel, sends the hello and resolves with the first job the server pushes. */
function connectAndWaitForJob(identity: Identity): Promise<{ socket: WebSocket; jobId: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`wss://localhost:${server.agentPort}/agent/v1/channel`, {
      cert: identity.certPem,
      key: identity.keyPem,
      ca: server.caCertPem,
    });
    const timer = setTimeout(() => reject(new Error(`no job for ${identity.hostId}`)), 30_000);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'hello', agentVersion: 'batch-test' })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; jobId?: string };
      if (message.type !== 'job' || !message.jobId) return;
      clearTimeout(timer);
      resolve({ socket, jobId: message.jobId });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  caKeyPem = fs.readFileSync(path.join(server.dataDir, 'ca', 'ca.key'), 'utf8');
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('agent hellos arriving together', () => {
  it('marks all online and sends each job', async () => {
    const identities = await Promise.all(Array.from({ length: AGENTS }, (_, index) => enroll(`batch-${index}`)));
    const jobIds = new Map<string, string>();
    for (const identity of identities) {
      const [job] = await database.db
        .insert(jobs)
        .values({ action: 'refresh', status: 'queued', timeoutSeconds: 600, createdBy: 'test', deadlineAt: new Date(Date.now() + 600_000) })
        .returning({ id: jobs.id });
      await database.db.insert(jobHosts).values({ jobId: job!.id, hostId: identity.hostId, status: 'pending' });
      jobIds.set(identity.hostId, job!.id);
    }

    const received = await Promise.all(identities.map((identity) => connectAndWaitForJob(identity)));

    try {
      expect(received.map((entry) => entry.jobId)).toEqual(identities.map((identity) => jobIds.get(identity.hostId)));
      const rows = await database.sql<{ status: string; agent_version: string; job_status: string }[]>`
        select h.status, h.agent_version, jh.status as job_status
        from hosts h join job_hosts jh on jh.host_id = h.id
        where h.hostname like 'batch-%'`;
      expect(rows).toHaveLength(AGENTS);
      expect(rows.filter((row) => row.status !== 'online')).toEqual([]);
      expect(rows.filter((row) => row.agent_version !== 'batch-test')).toEqual([]);
      expect(rows.filter((row) => row.job_status !== 'sent')).toEqual([]);
    } finally {
      for (const { socket } of received) socket.close();
    }
  }, 120_000);
});

describe('two connections with one certificate', () => {
  it('closes the older with 4000 and logs a warning', async () => {
    const identity = await enroll('copied-certificate');
    const first = await openChannel(identity);
    const firstClosed = new Promise<number>((resolve) => first.once('close', (code) => resolve(code)));
    const second = await openChannel(identity);
    try {
      expect(await firstClosed).toBe(4000);
      // The server's log arrives through a pipe, not with the close frame, so it may come a little later.
      let warning: string | undefined;
      for (let attempt = 0; attempt < 50 && warning === undefined; attempt++) {
        warning = server
          .output()
          .split('\n')
          .find((line) => line.includes('replaced soon after it opened') && line.includes(identity.hostId));
        if (warning === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(warning).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: 40, hostId: identity.hostId, previousAddress: '127.0.0.1' });
    } finally {
      second.close();
    }
  });
});

describe('server shutdown with open channels', () => {
  it('ends a channel whose agent never answers the close frame', async () => {
    const identity = await enroll('silent-agent');
    const socket = await openChannel(identity);
    socket.send(JSON.stringify({ type: 'hello', agentVersion: 'silent-test' }));
    await waitForOnline(identity.hostId);

    // The agent stops reading, so it never reads the server's close frame and never replies to it.
    const transport = (socket as unknown as { _socket: import('node:net').Socket })._socket;
    transport.pause();

    // ws alone would wait 30 s for the reply. The helper sends SIGKILL after 15 s, which skips the final log line.
    try {
      await server.stop();
      expect(server.output()).toContain('"msg":"stopped"');
    } finally {
      socket.terminate();
    }
  }, 60_000);
});

/** Opens a channel with the identity's certificate and resolves once the upgrade is done. */
async function openChannel(identity: Identity): Promise<WebSocket> {
  const socket = new WebSocket(`wss://localhost:${server.agentPort}/agent/v1/channel`, {
    cert: identity.certPem,
    key: identity.keyPem,
    ca: server.caCertPem,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** Waits until the host's hello has been recorded. */
async function waitForOnline(hostId: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [row] = await database.sql<{ status: string }[]>`select status from hosts where id = ${hostId}`;
    if (row?.status === 'online') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`host ${hostId} never came online`);
}
