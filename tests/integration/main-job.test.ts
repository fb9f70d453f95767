import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAptTestRoot, type AptTestRoot } from '../helpers/apt-repo';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { createEnrollCommand, enrollAgent, runAgent, tempAgentDir, waitFor, type AgentProcess } from '../helpers/agent-process';

// End to end on loopback: the real server with its own database, the admin
// CLI, and real agent processes. One agent reads this machine's own dpkg
// database; the other patches an isolated apt root against a local repository.

let database: TestDatabase;
let server: ServerProcess;
let aptRoot: AptTestRoot;
const agents: AgentProcess[] = [];
const machineStatusHash = () => crypto.createHash('sha256').update(fs.readFileSync('/var/lib/dpkg/status')).digest('hex');
let statusHashBefore: string;
let operator: SignedIn;
let operatorGroupId: string;
let isolatedAgent: { agentDir: string; hostId: string; env: Record<string, string> } | undefined;

interface HostListItem {
  id: string;
  hostname: string;
  pendingCount: number;
  securityCount: number;
}

interface HostDetail {
  installedCount: number;
  rebootRequired: string;
  updates: { name: string; installed: string | null; candidate: string; security: boolean; held: boolean }[];
}

interface JobDetail {
  status: string;
  hosts: { status: string; exitCode: number | null; changes: { name: string; before: string | null; after: string | null }[] }[];
}

function createTokenWithCli(description: string): string {
  return createEnrollCommand(server.env, description);
}

async function get<T>(path: string): Promise<T> {
  const response = await requestJson(`${server.webUrl}${path}`, { ca: server.caCertPem, authorization: operator.bearer });
  expect(response.status, response.text).toBe(200);
  return response.body as T;
}

function installedVersion(name: string): string {
  const result = spawnSync('dpkg-query', ['--admindir', aptRoot.dpkgAdmindir, '-W', '-f', '${Version}', name], { encoding: 'utf8' });
  return result.stdout;
}

/** Returns the host id of an enrolled agent directory and adds the host to the operator's group. */
async function hostByAgentDir(agentDir: string): Promise<string> {
  const settings = JSON.parse(fs.readFileSync(`${agentDir}/agent.json`, 'utf8')) as { hostId: string };
  await database.sql`insert into host_group_members (group_id, host_id) values (${operatorGroupId}, ${settings.hostId}) on conflict do nothing`;
  return settings.hostId;
}

beforeAll(async () => {
  statusHashBefore = machineStatusHash();
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  const operatorUser = await createTestUser(database.db, { role: 'operator' });
  operator = await signIn(server, operatorUser);
  // The operator may act only on hosts of their groups, so each enrolled host joins this one.
  const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values ('main job hosts') returning id`;
  operatorGroupId = group!.id;
  await database.sql`insert into user_group_members (group_id, user_id) values (${operatorGroupId}, ${operatorUser.id})`;
  aptRoot = await createAptTestRoot();
}, 240_000);

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await server?.stop();
  await database?.drop();
  await aptRoot?.cleanup();
});

describe('main job on apt hosts', () => {
  it('the CLI prints an enroll command carrying the CA fingerprint', () => {
    const command = createTokenWithCli('fingerprint check');

    expect(command).toContain(`--ca-fingerprint ${server.caFingerprint}`);
    expect(command).toContain(`--server ${server.webUrl}`);
  });

  it('inventories this machine with the dpkg-query package count', async () => {
    const agentDir = tempAgentDir();
    enrollAgent({ enrollCommand: createTokenWithCli('this machine'), agentDir });
    const hostId = await hostByAgentDir(agentDir);
    const agent = runAgent({ agentDir });
    agents.push(agent);

    const query = spawnSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\\n'], { encoding: 'utf8' });
    const expected = query.stdout.split('\n').filter((line) => line.length >= 2 && !'nc'.includes(line[1]!)).length;

    const host = await waitFor(
      'the machine inventory',
      async () => {
        const detail = await get<HostDetail>(`/api/v1/hosts/${hostId}`);
        return detail.installedCount > 0 ? detail : undefined;
      },
      120_000,
    );

    expect(host.installedCount).toBe(expected);
    expect(['yes', 'no', 'unknown']).toContain(host.rebootRequired);
    expect(fs.statSync(`${agentDir}/key.pem`).mode & 0o777).toBe(0o600);
    await agent.stop();
  });

  it('delivers a job created before the agent first connects', async () => {
    const agentDir = tempAgentDir();
    const env = { PM_AGENT_APT_CONFIG: aptRoot.aptConfigPath, PM_AGENT_DPKG_ADMINDIR: aptRoot.dpkgAdmindir };
    enrollAgent({ enrollCommand: createTokenWithCli('isolated root'), agentDir, env });
    const hostId = await hostByAgentDir(agentDir);

    const created = await requestJson(`${server.webUrl}/api/v1/jobs`, {
      authorization: operator.bearer,
      body: { hostIds: [hostId], action: 'security', dryRun: true },
      ca: server.caCertPem,
    });
    expect(created.status, created.text).toBe(201);
    const jobId = (created.body as { id: string }).id;
    const queued = await get<JobDetail>(`/api/v1/jobs/${jobId}`);
    expect(queued.hosts[0]?.status).toBe('pending');

    const agent = runAgent({ agentDir, env });
    agents.push(agent);
    isolatedAgent = { agentDir, hostId, env };
    const job = await waitFor(
      'the queued job to finish',
      async () => {
        const detail = await get<JobDetail>(`/api/v1/jobs/${jobId}`);
        return ['succeeded', 'failed'].includes(detail.status) ? detail : undefined;
      },
      120_000,
    );

    expect(job.status).toBe('succeeded');
    expect(job.hosts[0]?.changes).toContainEqual(expect.objectContaining({ name: 'pm-test-sec', before: '1.0-1', after: '1.0-2' }));
    expect(installedVersion('pm-test-sec')).toBe('1.0-1');
  });

  it('upgrades a test package in an isolated root and stores the change', async () => {
    expect(isolatedAgent).toBeDefined();
    const { hostId } = isolatedAgent!;

    const before = await waitFor('pending updates of the isolated root', async () => {
      const detail = await get<HostDetail>(`/api/v1/hosts/${hostId}`);
      return detail.updates.some((update) => update.name === 'pm-test-hello') ? detail : undefined;
    });
    const hello = before.updates.find((update) => update.name === 'pm-test-hello');
    const sec = before.updates.find((update) => update.name === 'pm-test-sec');
    expect(hello).toMatchObject({ installed: '1.0-1', candidate: '2.0-1', security: false });
    expect(sec).toMatchObject({ installed: '1.0-1', candidate: '1.0-2', security: true });

    const list = await get<{ items: HostListItem[] }>('/api/v1/hosts?search=');
    const listed = list.items.find((item) => item.id === hostId);
    expect(listed?.securityCount).toBe(1);

    const created = await requestJson(`${server.webUrl}/api/v1/jobs`, {
      authorization: operator.bearer,
      body: { hostIds: [hostId], action: 'upgrade-all' },
      ca: server.caCertPem,
    });
    expect(created.status, created.text).toBe(201);
    const jobId = (created.body as { id: string }).id;

    const job = await waitFor(
      'the job to finish',
      async () => {
        const detail = await get<JobDetail>(`/api/v1/jobs/${jobId}`);
        return ['succeeded', 'failed'].includes(detail.status) ? detail : undefined;
      },
      180_000,
    );

    expect(job.status).toBe('succeeded');
    expect(job.hosts[0]?.exitCode).toBe(0);
    expect(job.hosts[0]?.changes).toContainEqual(
      expect.objectContaining({ name: 'pm-test-hello', before: '1.0-1', after: '2.0-1' }),
    );
    const output = await database.sql`select count(*)::int as n from job_output where job_id = ${jobId}`;
    expect(output[0]?.n).toBeGreaterThan(0);
    expect(installedVersion('pm-test-hello')).toBe('2.0-1');
    expect(machineStatusHash()).toBe(statusHashBefore);

    const after = await waitFor('the inventory after the job', async () => {
      const detail = await get<HostDetail>(`/api/v1/hosts/${hostId}`);
      return detail.updates.some((update) => update.name === 'pm-test-hello') ? undefined : detail;
    });
    expect(after.updates).toEqual([]);
  });
});
