import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireJobs } from '@/lib/patching/expire-jobs';
import { createAptTestRoot, MAIN_SUITE, type AptTestRoot, type TestPackage } from '../helpers/apt-repo';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { createEnrollCommand, enrollAgent, runAgent, tempAgentDir, waitFor, type AgentProcess } from '../helpers/agent-process';

// Rollout end to end on loopback: the real server and four real agent processes, each
// patching its own isolated apt root. The first host in release order lacks the
// package the jobs name, so its runs fail; the others succeed. Only the other three
// allow pre/post commands. Reboots run a command that touches a marker file, and the
// test plays the reboot by restarting the agent with a new boot id.

const GOOD_ROOT: readonly TestPackage[] = [
  { name: 'pm-test-hello', version: '1.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: true },
  { name: 'pm-test-hello', version: '2.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: false },
  { name: 'pm-test-stable', version: '1.0-1', arch: 'all', suite: MAIN_SUITE, preinstall: true },
];
// pm-test-stable is missing, so the packages action fails with "not installed on this host".
const BAD_ROOT: readonly TestPackage[] = [{ name: 'pm-test-hello', version: '1.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: true }];
const STABLE_JOB = { action: 'packages', packages: ['pm-test-stable'] };

interface TestHost {
  hostId: string;
  agentDir: string;
  root: AptTestRoot;
  env: Record<string, string>;
  bootIdFile: string;
  rebootMarker: string;
  agent: AgentProcess;
}

interface JobHost {
  hostId: string;
  status: string;
  wave: number;
  failureCause: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  rebootedAt: string | null;
  changes: unknown[];
}

interface JobDetail {
  status: string;
  stopReason: string | null;
  hosts: JobHost[];
}

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;
let operator: SignedIn;
let scratch: string;
/** Hosts in release order: same hostname everywhere, so the orchestrator orders them by id. */
const hosts: TestHost[] = [];

function api(pathname: string, options: { body?: unknown; method?: string; as?: SignedIn } = {}): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${pathname}`, {
    authorization: (options.as ?? admin).bearer,
    ca: server.caCertPem,
    body: options.body,
    method: options.method,
  });
}

async function createJob(body: Record<string, unknown>): Promise<string> {
  const response = await api('/api/v1/jobs', { body });
  expect(response.status, response.text).toBe(201);
  return (response.body as { id: string }).id;
}

async function createCommand(name: string, argv: string[]): Promise<string> {
  const response = await api('/api/v1/commands', { body: { name, argv, timeoutSeconds: 120 } });
  expect(response.status, response.text).toBe(201);
  return (response.body as { id: string }).id;
}

async function getJob(jobId: string): Promise<JobDetail> {
  const response = await api(`/api/v1/jobs/${jobId}`);
  expect(response.status, response.text).toBe(200);
  return response.body as JobDetail;
}

function waitForJob(jobId: string, timeoutMs = 120_000): Promise<JobDetail> {
  return waitFor(
    `job ${jobId} to finish`,
    async () => {
      const job = await getJob(jobId);
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    },
    timeoutMs,
  );
}

function waitForHostStatus(jobId: string, hostId: string, status: string): Promise<JobHost> {
  return waitFor(`host ${hostId} of job ${jobId} to be ${status}`, async () => {
    const host = (await getJob(jobId)).hosts.find((item) => item.hostId === hostId);
    return host?.status === status ? host : undefined;
  });
}

function hostOf(job: JobDetail, host: TestHost): JobHost {
  const found = job.hosts.find((item) => item.hostId === host.hostId);
  expect(found, `host ${host.hostId} is not part of the job`).toBeDefined();
  return found!;
}

function installedVersion(root: AptTestRoot, name: string): string {
  return spawnSync('dpkg-query', ['--admindir', root.dpkgAdmindir, '-W', '-f', '${Version}', name], { encoding: 'utf8' }).stdout;
}

/** Starts the host's agent and waits until its channel reported the current boot id. */
async function startAgent(host: TestHost): Promise<void> {
  host.agent = runAgent({ agentDir: host.agentDir, env: host.env });
  const bootId = fs.readFileSync(host.bootIdFile, 'utf8').trim();
  await waitFor(`agent of ${host.hostId} to connect`, async () => {
    const [row] = await database.sql<{ boot_id: string | null }[]>`select boot_id from hosts where id = ${host.hostId}`;
    return row?.boot_id === bootId ? true : undefined;
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
  operator = await signIn(server, await createTestUser(database.db, { role: 'operator' }));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-rollout-'));

  const enrolled: { hostId: string; agentDir: string }[] = [];
  for (let index = 0; index < 4; index += 1) {
    const agentDir = tempAgentDir();
    enrollAgent({ enrollCommand: createEnrollCommand(server.env, `rollout ${index}`), agentDir });
    const { hostId } = JSON.parse(fs.readFileSync(path.join(agentDir, 'agent.json'), 'utf8')) as { hostId: string };
    enrolled.push({ hostId, agentDir });
  }
  // PostgreSQL orders uuids by their bytes, which is the order of their hex text.
  enrolled.sort((a, b) => a.hostId.localeCompare(b.hostId));

  for (const [index, { hostId, agentDir }] of enrolled.entries()) {
    const root = await createAptTestRoot(index === 0 ? BAD_ROOT : GOOD_ROOT);
    const bootIdFile = path.join(scratch, `boot-id-${index}`);
    const rebootMarker = path.join(scratch, `rebooted-${index}`);
    fs.writeFileSync(bootIdFile, `boot-${index}-a\n`);
    const env: Record<string, string> = {
      PM_AGENT_APT_CONFIG: root.aptConfigPath,
      PM_AGENT_DPKG_ADMINDIR: root.dpkgAdmindir,
      PM_AGENT_BOOT_ID_FILE: bootIdFile,
      PM_AGENT_REBOOT_COMMAND: `/usr/bin/touch ${rebootMarker}`,
      PM_AGENT_RECONNECT_MAX_SECONDS: '2',
      ...(index === 0 ? {} : { PM_AGENT_ALLOW_COMMANDS: '1' }),
    };
    const host = { hostId, agentDir, root, env, bootIdFile, rebootMarker } as TestHost;
    hosts.push(host);
    await startAgent(host);
  }
}, 400_000);

afterAll(async () => {
  for (const host of hosts) await host.agent?.stop();
  await server?.stop();
  await database?.drop();
  for (const host of hosts) await host.root.cleanup();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('job rollout with real agents', () => {
  it('stops after the canary reaches the failure limit', async () => {
    const jobId = await createJob({ ...STABLE_JOB, hostIds: hosts.map((host) => host.hostId), canarySize: 2, stopAfterFailures: 1 });

    const job = await waitForJob(jobId);

    expect(job.status).toBe('failed');
    expect(job.stopReason).toBe('threshold-exceeded');
    expect(hostOf(job, hosts[0]!)).toMatchObject({ wave: 1, status: 'failed' });
    expect(hostOf(job, hosts[1]!)).toMatchObject({ wave: 1, status: 'succeeded' });
    for (const host of hosts.slice(2)) {
      expect(hostOf(job, host)).toMatchObject({ wave: 2, status: 'skipped', failureCause: 'threshold-exceeded', startedAt: null });
    }
  });

  it('never runs more hosts than maxParallel', async () => {
    const good = hosts.slice(1);
    const jobId = await createJob({ ...STABLE_JOB, hostIds: good.map((host) => host.hostId), maxParallel: 1 });

    const job = await waitForJob(jobId);

    expect(job.status).toBe('succeeded');
    const runs = job.hosts
      .map((host) => ({ started: Date.parse(host.startedAt ?? ''), finished: Date.parse(host.finishedAt ?? '') }))
      .sort((a, b) => a.started - b.started);
    expect(runs.every((run) => Number.isFinite(run.started) && Number.isFinite(run.finished))).toBe(true);
    for (let index = 1; index < runs.length; index += 1) {
      expect(runs[index]!.started).toBeGreaterThanOrEqual(runs[index - 1]!.finished);
    }
  });

  it('cancelled job starts no further hosts', async () => {
    const good = hosts.slice(1);
    const sleep = await createCommand('sleep a while', ['/bin/sleep', '60']);
    const jobId = await createJob({ ...STABLE_JOB, hostIds: good.map((host) => host.hostId), maxParallel: 1, preCommandId: sleep });
    const running = await waitFor('a host to start', async () => (await getJob(jobId)).hosts.find((host) => host.status === 'running'));

    const cancelled = await api(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST', body: {} });
    expect(cancelled.status, cancelled.text).toBe(200);
    const job = await waitForJob(jobId, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const later = await getJob(jobId);

    expect(job.status).toBe('cancelled');
    expect(job.stopReason).toBe('cancelled');
    expect(later.hosts.map((host) => host.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(later.hosts.filter((host) => host.startedAt !== null).map((host) => host.hostId)).toEqual([running.hostId]);
    expect(hostOf(later, hosts.find((host) => host.hostId === running.hostId)!).failureCause).toBe('cancelled');
  });

  it('failing pre-command stops the host before patching', async () => {
    const fail = await createCommand('always fails', ['/bin/false']);
    const jobId = await createJob({ action: 'upgrade-all', hostIds: [hosts[1]!.hostId], preCommandId: fail });

    const job = await waitForJob(jobId);

    expect(job.status).toBe('failed');
    expect(job.hosts[0]).toMatchObject({ status: 'failed', failureCause: 'pre-command-failed', changes: [] });
    expect(installedVersion(hosts[1]!.root, 'pm-test-hello')).toBe('1.0-1');
  });

  it('agent without permission refuses commands', async () => {
    const check = await createCommand('harmless', ['/bin/true']);
    const jobId = await createJob({ ...STABLE_JOB, hostIds: [hosts[0]!.hostId], postCommandId: check });

    const job = await waitForJob(jobId);

    expect(job.hosts[0]).toMatchObject({ status: 'failed', failureCause: 'commands-disabled' });
  });

  it('reboot completes after the agent returns with a new boot id', async () => {
    const host = hosts[2]!;
    const jobId = await createJob({ ...STABLE_JOB, hostIds: [host.hostId], rebootPolicy: 'always' });

    await waitForHostStatus(jobId, host.hostId, 'rebooting');
    await waitFor('the reboot command to run', async () => (fs.existsSync(host.rebootMarker) ? true : undefined));
    await host.agent.stop();
    expect((await getJob(jobId)).status).toBe('running');
    fs.writeFileSync(host.bootIdFile, 'boot-2-b\n');
    await startAgent(host);
    const job = await waitForJob(jobId);

    expect(job.status).toBe('succeeded');
    expect(job.hosts[0]?.status).toBe('succeeded');
    expect(job.hosts[0]?.rebootedAt).not.toBeNull();
  });

  it('reboot times out when the host does not return', async () => {
    const host = hosts[3]!;
    const jobId = await createJob({ ...STABLE_JOB, hostIds: [host.hostId], rebootPolicy: 'always', rebootTimeoutSeconds: 10 });
    await waitForHostStatus(jobId, host.hostId, 'rebooting');
    await waitFor('the reboot command to run', async () => (fs.existsSync(host.rebootMarker) ? true : undefined));

    // The agent keeps running with the same boot id, as after a reboot command that did nothing.
    await host.agent.stop();
    await startAgent(host);
    await expireJobs({ actor: { kind: 'system', name: 'worker' }, db: database.db });
    expect((await getJob(jobId)).hosts[0]?.status).toBe('rebooting');
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    await expireJobs({ actor: { kind: 'system', name: 'worker' }, db: database.db });
    const job = await getJob(jobId);

    expect(job.status).toBe('failed');
    expect(job.hosts[0]).toMatchObject({ status: 'failed', failureCause: 'reboot-timeout' });
  });
});

describe('job and command requests', () => {
  const jobCases: { name: string; body: () => Record<string, unknown>; status: number; field: string }[] = [
    { name: 'canary above 100%', body: () => ({ ...STABLE_JOB, hostIds: [hosts[1]!.hostId], canaryPercent: 150 }), status: 400, field: 'canaryPercent' },
    { name: 'two scopes', body: () => ({ ...STABLE_JOB, hostIds: [hosts[1]!.hostId], filter: {} }), status: 400, field: 'hostIds' },
    { name: 'filter matching nothing', body: () => ({ ...STABLE_JOB, filter: { namePattern: 'no-such-host-*' } }), status: 400, field: 'filter' },
    { name: 'unknown group', body: () => ({ ...STABLE_JOB, groupIds: ['00000000-0000-4000-8000-000000000001'] }), status: 404, field: 'groupIds' },
    { name: 'maxParallel zero', body: () => ({ ...STABLE_JOB, hostIds: [hosts[1]!.hostId], maxParallel: 0 }), status: 400, field: 'maxParallel' },
  ];

  it.each(jobCases)('POST /api/v1/jobs rejects $name', async ({ body, status, field }) => {
    const response = await api('/api/v1/jobs', { body: body() });

    expect(response.status, response.text).toBe(status);
    expect((response.body as { error: { field?: string } }).error.field).toBe(field);
  });

  it('POST /api/v1/commands rejects an Operator', async () => {
    const response = await api('/api/v1/commands', { body: { name: 'nope', argv: ['/bin/true'] }, as: operator });

    expect(response.status).toBe(403);
  });

  it('POST /api/v1/commands rejects a relative program', async () => {
    const response = await api('/api/v1/commands', { body: { name: 'relative', argv: ['true'] } });

    expect(response.status).toBe(400);
    expect((response.body as { error: { field?: string } }).error.field).toBe('argv');
  });

  it('DELETE /api/v1/commands/{id} removes the command', async () => {
    const id = await createCommand('short lived', ['/bin/true']);

    const deleted = await api(`/api/v1/commands/${id}`, { method: 'DELETE' });
    const listed = await api('/api/v1/commands', { as: operator });

    expect(deleted.status).toBe(204);
    expect((listed.body as { items: { id: string }[] }).items.map((item) => item.id)).not.toContain(id);
  });
});
