import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  INVENTORY_SECTIONS,
  type AgentMessage,
  type InventoryReport,
  type PatchOutcomeMessage,
  type ServerMessage,
} from '@/lib/agent-protocol/schema';
import { agentTlsOptions } from '@/lib/net/tls-options';
import { ensurePki, type PkiMaterial } from '@/lib/pki/ensure-pki';
import { issueTestClient } from '@/lib/pki/issue-test-client';
import type { PatchRequest } from '@/agent/package-managers/types';
import { createAptTestRoot, type AptTestRoot } from '@/tests/helpers/apt-repo';

const isRoot = process.getuid?.() === 0;
const BIN = path.resolve(import.meta.dirname, '../../bin/pm-agent.js');
const DRY_RUN_UPGRADE: PatchRequest = { action: 'upgrade-all', packages: [], dryRun: true, timeoutSeconds: 120 };

/**
 * Stands in for the agent listener: mTLS with the internal CA, `POST /agent/v1/inventory`
 * returning `missing` and `written` from the hashes it stored, and the channel WebSocket.
 */
class AgentListener {
  readonly messages: AgentMessage[] = [];
  readonly reports: InventoryReport[] = [];
  readonly sockets = new Set<WebSocket>();
  private readonly stored = new Map<string, string>();
  readonly server: https.Server;
  private readonly wss: WebSocketServer;

  constructor(pki: PkiMaterial) {
    this.server = https.createServer(agentTlsOptions({ caCertPem: pki.caCertPem, certPem: pki.webCertPem, keyPem: pki.webKeyPem, ticketKeys: randomBytes(48) }), (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as InventoryReport;
        this.reports.push(report);
        const missing: string[] = [];
        const written: string[] = [];
        for (const section of INVENTORY_SECTIONS) {
          if (this.stored.get(section) === report.hashes[section]) continue;
          if (report[section] === undefined) {
            missing.push(section);
          } else {
            written.push(section);
            this.stored.set(section, report.hashes[section]);
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ missing, written }));
      });
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/agent/v1/channel' });
    this.wss.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as AgentMessage));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  send(message: ServerMessage): void {
    for (const socket of this.sockets) socket.send(JSON.stringify(message));
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async close(): Promise<void> {
    this.dropConnections();
    this.wss.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!isRoot)('pm-agent run', () => {
  let workDir: string;
  let agentDir: string;
  let aptRoot: AptTestRoot;
  let listener: AgentListener;
  let agent: ChildProcess;
  let agentLog = '';

  function startAgent(): ChildProcess {
    const child = spawn(process.execPath, [BIN, 'run'], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PM_AGENT_DIR: agentDir,
        PM_AGENT_APT_CONFIG: aptRoot.aptConfigPath,
        PM_AGENT_REBOOT_REQUIRED: path.join(workDir, 'reboot-required'),
        PM_AGENT_INVENTORY_INTERVAL: '3600',
        PM_AGENT_RECONNECT_MAX_SECONDS: '2',
        NODE_ENV: 'test',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      agentLog += chunk.toString();
    });
    return child;
  }

  async function stopAgent(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  }

  const countOf = (type: AgentMessage['type'], jobId?: string) =>
    listener.messages.filter((message) => message.type === type && (jobId === undefined || ('jobId' in message && message.jobId === jobId))).length;

  function resultOf(jobId: string): PatchOutcomeMessage | undefined {
    for (const message of listener.messages) {
      if (message.type === 'job-result' && message.jobId === jobId) return message.outcome;
    }
    return undefined;
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'pm-agent-run-'));
    agentDir = path.join(workDir, 'agent');
    aptRoot = await createAptTestRoot();
    const pki = await ensurePki({ configDir: path.join(workDir, 'server'), hostNames: ['127.0.0.1'] });
    listener = new AgentListener(pki);
    const port = await listener.listen();

    const hostId = randomUUID();
    const client = await issueTestClient({ caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, hostId });
    await mkdir(agentDir, { mode: 0o700 });
    await writeFile(path.join(agentDir, 'key.pem'), client.keyPem, { mode: 0o600 });
    await writeFile(path.join(agentDir, 'cert.pem'), client.certPem);
    await writeFile(path.join(agentDir, 'ca.pem'), pki.caCertPem);
    const settings = {
      serverUrl: 'https://127.0.0.1:8443',
      agentUrl: `https://127.0.0.1:${port}`,
      hostId,
      caFingerprint: pki.caFingerprint,
      inventoryIntervalSeconds: 300,
      enrolledAt: new Date().toISOString(),
    };
    await writeFile(path.join(agentDir, 'agent.json'), JSON.stringify(settings), { mode: 0o600 });
  }, 300_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null) await stopAgent(agent);
    await listener?.close();
    await aptRoot?.cleanup();
    await rm(workDir, { recursive: true, force: true });
  });

  it('runs jobs, spools results and checks in', async () => {
    agent = startAgent();

    const hello = await waitFor(() => listener.messages.find((message) => message.type === 'hello'), 'hello');
    expect(hello).toEqual({ type: 'hello', agentVersion: '0.1.0', bootId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const first = await waitFor(() => listener.reports[0], 'first inventory');
    expect(first.facts?.packageManager).toBe('apt');
    expect(first.packages?.map((item) => item.name)).toContain('pm-test-hello');
    expect(first.updates?.map((item) => item.name)).toContain('pm-test-sec');
    expect(first.reboot).toBeDefined();

    const jobId = randomUUID();
    listener.send({ type: 'job', jobId, request: DRY_RUN_UPGRADE });
    const outcome = await waitFor(() => resultOf(jobId), 'job result');
    expect(outcome.status).toBe('succeeded');
    expect(countOf('job-started', jobId)).toBe(1);

    const seqs = listener.messages.flatMap((message) => (message.type === 'output' && message.jobId === jobId ? message.lines.map((line) => line.seq) : []));
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(seqs.map((_, index) => index));

    const spoolFile = path.join(agentDir, 'spool', `${jobId}.json`);
    expect((await stat(spoolFile)).mode & 0o777).toBe(0o600);

    const afterJob = await waitFor(() => listener.reports[1], 'inventory after the job');
    expect(Object.keys(afterJob)).toEqual(['hashes']);

    listener.send({ type: 'job', jobId, request: DRY_RUN_UPGRADE });
    await waitFor(() => (countOf('job-result', jobId) === 2 ? true : undefined), 'resent result');
    expect(countOf('job-started', jobId)).toBe(1);

    listener.send({ type: 'result-ack', jobId });
    await waitFor(() => (agentLog.includes('"event":"job.acknowledged"') ? true : undefined), 'acknowledgement');
    await expect(stat(spoolFile)).rejects.toMatchObject({ code: 'ENOENT' });

    listener.send({ type: 'job', jobId, request: DRY_RUN_UPGRADE });
    await waitFor(() => listener.messages.find((message) => message.type === 'job-rejected' && message.jobId === jobId), 'job-rejected');
    expect(countOf('job-started', jobId)).toBe(1);

    const reportsBefore = listener.reports.length;
    listener.send({ type: 'inventory-request' });
    const full = await waitFor(() => listener.reports[reportsBefore], 'requested inventory');
    for (const section of INVENTORY_SECTIONS) {
      expect(full[section]).toBeDefined();
    }
  });

  it('cancels a queued job without running it', async () => {
    const runningId = randomUUID();
    const queuedId = randomUUID();
    listener.send({ type: 'job', jobId: runningId, request: DRY_RUN_UPGRADE });
    listener.send({ type: 'job', jobId: queuedId, request: DRY_RUN_UPGRADE });
    listener.send({ type: 'cancel', jobId: queuedId });

    const cancelled = await waitFor(() => resultOf(queuedId), 'cancelled result');
    const finished = await waitFor(() => resultOf(runningId), 'running result');

    expect(cancelled.status).toBe('failed');
    expect(cancelled.failure?.cause).toBe('cancelled');
    expect(countOf('job-started', queuedId)).toBe(0);
    expect(finished.status).toBe('succeeded');
  });

  it('reconnects and resends a spooled result after a restart', { timeout: 120_000 }, async () => {
    const jobId = randomUUID();
    listener.send({ type: 'job', jobId, request: DRY_RUN_UPGRADE });
    await waitFor(() => listener.messages.find((message) => message.type === 'job-result' && message.jobId === jobId), 'job result');

    listener.dropConnections();
    const hellos = countOf('hello');
    await waitFor(() => (countOf('hello') > hellos ? true : undefined), 'hello after reconnect');
    await waitFor(() => (countOf('job-result', jobId) >= 2 ? true : undefined), 'result resent after reconnect');

    expect(await stopAgent(agent)).toBe(0);
    expect(agentLog).toContain('"event":"agent.stopped"');
    expect(agentLog).not.toContain('PRIVATE KEY');

    const before = countOf('job-result', jobId);
    // Counted before the start: the first check-in may arrive before the resent result.
    const reports = listener.reports.length;
    agent = startAgent();
    await waitFor(() => (countOf('job-result', jobId) > before ? true : undefined), 'result resent after restart');
    await waitFor(() => listener.reports[reports], 'inventory after restart');
    expect(Object.keys(listener.reports[reports]!)).toEqual(['hashes']);
  });
});
