import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { createJob } from '@/lib/patching/create-job';
import { expireJobs } from '@/lib/patching/expire-jobs';
import { getJob } from '@/lib/patching/get-job';
import { claimDispatchableJobs } from '@/lib/patching/list-dispatchable-jobs';
import { recordJobOutput, recordJobResult, recordJobStarted } from '@/lib/patching/record-agent-event';
import { markOfflineHosts } from '@/lib/hosts/mark-offline-hosts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let admin: Context;
const limits = { defaultTimeoutSeconds: 600, hostWaitSeconds: 3600 };

const succeeded = {
  exitCode: 0,
  status: 'succeeded' as const,
  failure: null,
  changes: [{ name: 'pm-test-hello', arch: 'amd64', before: '1.0-1', after: '2.0-1' }],
  reboot: { required: 'no' as const, reason: 'kernel is current', packages: [] },
  durationMs: 1200,
};

async function addHost(hostname: string): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status, last_seen_at)
    values (${hostname}, 'online', now()) returning id`;
  return row!.id;
}

function agent(hostId: string): Context {
  return { actor: { kind: 'agent', hostId, address: '127.0.0.1' }, db: database.db };
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = { actor: { kind: 'console', address: '127.0.0.1' }, db: database.db };
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`delete from jobs`;
  await database.sql`delete from hosts`;
});

describe('job lifecycle', () => {
  it('runs a job from creation to success', async () => {
    const hostId = await addHost('web-1');
    const { id } = await createJob(admin, { hostIds: [hostId], action: 'upgrade-all' }, limits);

    const claimed = await claimDispatchableJobs(database.db, { hostIds: [hostId] });
    expect(claimed).toEqual([{ jobId: id, hostId, request: { action: 'upgrade-all', packages: [], dryRun: false, timeoutSeconds: 600 } }]);

    expect(await recordJobStarted(agent(hostId), id)).toBe(true);
    expect(await recordJobOutput(agent(hostId), id, [{ seq: 0, stream: 'stdout', line: 'Reading package lists...' }])).toBe(1);
    expect(await recordJobResult(agent(hostId), id, succeeded)).toBe(true);

    const job = await getJob(admin, { jobId: id });
    expect(job.status).toBe('succeeded');
    expect(job.hosts[0]).toMatchObject({ status: 'succeeded', exitCode: 0, changes: succeeded.changes });
  });

  it('stores output lines sent twice only once', async () => {
    const hostId = await addHost('web-2');
    const { id } = await createJob(admin, { hostIds: [hostId], action: 'refresh' }, limits);
    const lines = [
      { seq: 0, stream: 'stdout' as const, line: 'a' },
      { seq: 1, stream: 'stderr' as const, line: 'b' },
    ];

    expect(await recordJobOutput(agent(hostId), id, lines)).toBe(2);
    expect(await recordJobOutput(agent(hostId), id, lines)).toBe(0);
  });

  it('ignores events for a job of another host', async () => {
    const hostId = await addHost('web-3');
    const otherHost = await addHost('intruder');
    const { id } = await createJob(admin, { hostIds: [hostId], action: 'upgrade-all' }, limits);

    expect(await recordJobStarted(agent(otherHost), id)).toBe(false);
    expect(await recordJobOutput(agent(otherHost), id, [{ seq: 0, stream: 'stdout', line: 'forged' }])).toBe(0);
    expect(await recordJobResult(agent(otherHost), id, succeeded)).toBe(false);
    const job = await getJob(admin, { jobId: id });
    expect(job.status).toBe('queued');
    expect(job.hosts[0]?.status).toBe('pending');
  });

  it('times out a host that never starts before the deadline', async () => {
    const hostId = await addHost('offline-1');
    const { id } = await createJob(admin, { hostIds: [hostId], action: 'upgrade-all' }, limits);
    await database.sql`update jobs set deadline_at = now() - interval '1 second' where id = ${id}`;

    const result = await expireJobs(admin);
    const job = await getJob(admin, { jobId: id });

    expect(result).toEqual({ hosts: 1, jobs: [id] });
    expect(job.status).toBe('failed');
    expect(job.hosts[0]).toMatchObject({ status: 'timed-out', failureCause: 'timeout' });
    expect(await claimDispatchableJobs(database.db, { hostIds: [hostId] })).toEqual([]);
  });

  it('times out a running host that sends no result', async () => {
    const hostId = await addHost('silent-1');
    const { id } = await createJob(admin, { hostIds: [hostId], action: 'upgrade-all', timeoutSeconds: 60 }, limits);
    await recordJobStarted(agent(hostId), id);
    await database.sql`update job_hosts set started_at = now() - interval '1 hour' where job_id = ${id}`;

    await expireJobs(admin);
    const job = await getJob(admin, { jobId: id });

    expect(job.hosts[0]?.failureMessage).toContain('no result from the agent');
    expect(job.status).toBe('failed');
  });

  it('lets a late result replace a timeout', async () => {
    const hostId = await addHost('late-1');
    const { id } = await createJob(admin, { hostIds: [hostId], action: 'upgrade-all' }, limits);
    await recordJobStarted(agent(hostId), id);
    await database.sql`update job_hosts set started_at = now() - interval '2 hours' where job_id = ${id}`;
    await expireJobs(admin);

    expect(await recordJobResult(agent(hostId), id, succeeded)).toBe(true);
    const job = await getJob(admin, { jobId: id });

    expect(job.status).toBe('succeeded');
    expect(job.hosts[0]?.status).toBe('succeeded');
  });

  it('keeps a job open while another host still runs', async () => {
    const first = await addHost('multi-1');
    const second = await addHost('multi-2');
    const { id } = await createJob(admin, { hostIds: [first, second], action: 'security' }, limits);
    await recordJobResult(agent(first), id, succeeded);

    expect((await getJob(admin, { jobId: id })).status).toBe('queued');
    await recordJobResult(agent(second), id, { ...succeeded, status: 'failed', exitCode: 100, failure: { cause: 'lock-held', message: 'dpkg lock held', retriable: true } });
    const job = await getJob(admin, { jobId: id });

    expect(job.status).toBe('failed');
    expect(job.hosts.find((host) => host.hostId === second)).toMatchObject({ failureCause: 'lock-held', exitCode: 100 });
  });
});

describe('markOfflineHosts', () => {
  it('marks only hosts silent for longer than the limit', async () => {
    const silent = await addHost('silent');
    const fresh = await addHost('fresh');
    await database.sql`update hosts set last_seen_at = now() - interval '2 hours' where id = ${silent}`;

    const changed = await markOfflineHosts(admin, { offlineAfterSeconds: 900 });
    const rows = await database.sql<{ id: string; status: string }[]>`select id, status from hosts`;

    expect(changed).toEqual([silent]);
    expect(rows.find((row) => row.id === fresh)?.status).toBe('online');
    expect(rows.find((row) => row.id === silent)?.status).toBe('offline');
  });
});
