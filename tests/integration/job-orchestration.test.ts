import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { createCommand } from '@/lib/commands/create-command';
import { deleteCommand } from '@/lib/commands/delete-command';
import { advanceJob } from '@/lib/patching/advance-job';
import { cancelJob } from '@/lib/patching/cancel-job';
import { createJob, type CreateJobInput } from '@/lib/patching/create-job';
import { expireJobs } from '@/lib/patching/expire-jobs';
import { getJob } from '@/lib/patching/get-job';
import { claimDispatchableJobs } from '@/lib/patching/list-dispatchable-jobs';
import { recordJobResult, recordJobStarted } from '@/lib/patching/record-agent-event';
import { completeRebootedHosts, recordJobRebooting } from '@/lib/patching/record-agent-reboot';
import type { PatchOutcomeMessage } from '@/lib/agent-protocol/schema';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// The orchestrator against a real database: waves, parallelism, failure limits,
// cancel, reboots and scope, driven through the same lib calls the agent channel uses.

let database: TestDatabase;
let admin: Context;
const limits = { defaultTimeoutSeconds: 600, hostWaitSeconds: 3600 };

const succeeded: PatchOutcomeMessage = {
  exitCode: 0,
  status: 'succeeded',
  failure: null,
  changes: [],
  reboot: { required: 'no', reason: 'kernel is current', packages: [] },
  durationMs: 10,
};
const failed: PatchOutcomeMessage = {
  exitCode: 100,
  status: 'failed',
  failure: { cause: 'unknown', message: 'E: Unable to locate package', retriable: false },
  changes: [],
  reboot: { required: 'unknown', reason: 'not checked', packages: [] },
  durationMs: 10,
};

async function addHosts(count: number, prefix = 'host'): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `${prefix}-${String(index).padStart(2, '0')}`;
    const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status, last_seen_at)
      values (${name}, 'online', now()) returning id`;
    ids.push(row!.id);
  }
  return ids;
}

function agent(hostId: string): Context {
  return { actor: { kind: 'agent', hostId, address: '127.0.0.1' }, db: database.db };
}

async function hostStates(jobId: string): Promise<Map<string, { status: string; wave: number; cause: string | null }>> {
  const rows = await database.sql<{ host_id: string; status: string; wave: number; failure_cause: string | null }[]>`
    select h.host_id, h.status, h.wave, h.failure_cause from job_hosts h join hosts on hosts.id = h.host_id
    where h.job_id = ${jobId} order by hosts.hostname`;
  return new Map(rows.map((row) => [row.host_id, { status: row.status, wave: row.wave, cause: row.failure_cause }]));
}

async function countStatus(jobId: string, status: string): Promise<number> {
  return [...(await hostStates(jobId)).values()].filter((row) => row.status === status).length;
}

/** Runs every released host of the job to the given outcome, as its agent would. */
async function finishReleased(jobId: string, outcome: (hostId: string) => PatchOutcomeMessage): Promise<string[]> {
  const states = await hostStates(jobId);
  const released = [...states].filter(([, row]) => row.status === 'pending').map(([hostId]) => hostId);
  for (const hostId of released) {
    await claimDispatchableJobs(database.db, { hostIds: [hostId], jobId });
    expect(await recordJobStarted(agent(hostId), jobId)).toBe(true);
    expect(await recordJobResult(agent(hostId), jobId, outcome(hostId))).toBe(true);
  }
  return released;
}

async function create(input: Omit<CreateJobInput, 'action'> & { action?: CreateJobInput['action'] }): Promise<string> {
  return (await createJob(admin, { action: 'upgrade-all', ...input } as CreateJobInput, limits)).id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = {
    actor: {
      kind: 'user',
      userId: '00000000-0000-4000-8000-00000000a11c',
      username: 'alice',
      role: 'admin',
      sessionId: '00000000-0000-4000-8000-0000000005e5',
      address: '127.0.0.1',
    },
    db: database.db,
  };
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`delete from jobs`;
  await database.sql`delete from hosts`;
  await database.sql`delete from approved_commands`;
  await database.sql`delete from host_groups`;
});

describe('waves', () => {
  it('0% canary releases every host at once', async () => {
    const hostIds = await addHosts(4);
    const jobId = await create({ hostIds, canaryPercent: 0 });

    const states = await hostStates(jobId);
    expect([...states.values()].every((row) => row.wave === 1)).toBe(true);
    expect(await countStatus(jobId, 'pending')).toBe(4);
  });

  it('canary percentage rounds up', async () => {
    const hostIds = await addHosts(10);
    const jobId = await create({ hostIds, canaryPercent: 15 });

    const states = [...(await hostStates(jobId)).values()];
    expect(states.filter((row) => row.wave === 1)).toHaveLength(2);
    expect(await countStatus(jobId, 'pending')).toBe(2);
    expect(await countStatus(jobId, 'held')).toBe(8);
  });

  it('canary count larger than the job is one wave', async () => {
    const hostIds = await addHosts(3);
    const jobId = await create({ hostIds, canarySize: 50 });

    expect(await countStatus(jobId, 'pending')).toBe(3);
  });

  it('second wave starts after the canary finished', async () => {
    const hostIds = await addHosts(6);
    const jobId = await create({ hostIds, canarySize: 2, stopAfterFailures: 2 });

    const canary = await finishReleased(jobId, (hostId) => (hostId === hostIds[0] ? failed : succeeded));
    expect([...canary].sort()).toEqual(hostIds.slice(0, 2).sort());

    expect(await countStatus(jobId, 'pending')).toBe(4);
  });

  it('second wave is skipped when the canary reaches the limit', async () => {
    const hostIds = await addHosts(6);
    const jobId = await create({ hostIds, canarySize: 2, stopAfterFailurePercent: 30 });

    await finishReleased(jobId, () => failed);

    const states = [...(await hostStates(jobId)).values()];
    expect(states.filter((row) => row.status === 'skipped')).toHaveLength(4);
    expect(states.filter((row) => row.status === 'skipped').every((row) => row.cause === 'threshold-exceeded')).toBe(true);
    const job = await getJob(admin, { jobId });
    expect(job.status).toBe('failed');
    expect(job.stopReason).toBe('threshold-exceeded');
  });

  it('second wave waits while a canary host runs', async () => {
    const hostIds = await addHosts(4);
    const jobId = await create({ hostIds, canarySize: 2 });
    await claimDispatchableJobs(database.db, { hostIds, jobId });
    await recordJobStarted(agent(hostIds[0]!), jobId);
    await recordJobStarted(agent(hostIds[1]!), jobId);

    await recordJobResult(agent(hostIds[0]!), jobId, succeeded);

    expect(await countStatus(jobId, 'held')).toBe(2);
  });
});

describe('failure limit', () => {
  it('stops exactly when the failure count is reached', async () => {
    const hostIds = await addHosts(4);
    const jobId = await create({ hostIds, maxParallel: 1, stopAfterFailures: 2 });

    await finishReleased(jobId, () => failed);
    expect(await countStatus(jobId, 'pending')).toBe(1);
    expect(await countStatus(jobId, 'skipped')).toBe(0);

    await finishReleased(jobId, () => failed);
    expect(await countStatus(jobId, 'skipped')).toBe(2);
    expect(await countStatus(jobId, 'pending')).toBe(0);
    expect((await getJob(admin, { jobId })).status).toBe('failed');
  });

  it('percentage limit rounds up', async () => {
    const hostIds = await addHosts(15);
    // 10% of 15 hosts is 1.5, so the job stops at the second failure, not the first.
    const jobId = await create({ hostIds, maxParallel: 1, stopAfterFailurePercent: 10 });

    await finishReleased(jobId, () => failed);
    expect(await countStatus(jobId, 'skipped')).toBe(0);

    await finishReleased(jobId, () => failed);
    expect(await countStatus(jobId, 'skipped')).toBe(13);
  });

  it('job without a limit runs every host', async () => {
    const hostIds = await addHosts(3);
    const jobId = await create({ hostIds, maxParallel: 1 });

    for (let round = 0; round < 3; round += 1) await finishReleased(jobId, () => failed);

    expect(await countStatus(jobId, 'failed')).toBe(3);
    expect((await getJob(admin, { jobId })).status).toBe('failed');
  });

  it('timed-out hosts count as failures', async () => {
    const hostIds = await addHosts(3);
    const jobId = await create({ hostIds, maxParallel: 1, stopAfterFailures: 1 });
    const [first] = await finishReleasedStart(jobId);
    await database.sql`update job_hosts set started_at = now() - interval '2 hours' where job_id = ${jobId} and host_id = ${first!}`;

    await expireJobs(admin);

    expect(await countStatus(jobId, 'timed-out')).toBe(1);
    expect(await countStatus(jobId, 'skipped')).toBe(2);
  });
});

async function finishReleasedStart(jobId: string): Promise<string[]> {
  const states = await hostStates(jobId);
  const released = [...states].filter(([, row]) => row.status === 'pending').map(([hostId]) => hostId);
  for (const hostId of released) {
    await claimDispatchableJobs(database.db, { hostIds: [hostId], jobId });
    await recordJobStarted(agent(hostId), jobId);
  }
  return released;
}

describe('parallelism', () => {
  it('releases no more than maxParallel hosts', async () => {
    const hostIds = await addHosts(5);
    const jobId = await create({ hostIds, maxParallel: 2 });
    expect(await countStatus(jobId, 'pending')).toBe(2);

    const [first] = await finishReleasedStart(jobId);
    await database.db.transaction((tx) => advanceJob(tx, jobId));
    expect(await countStatus(jobId, 'pending')).toBe(0);

    await recordJobResult(agent(first!), jobId, succeeded);
    expect(await countStatus(jobId, 'pending')).toBe(1);
    expect(await countStatus(jobId, 'running')).toBe(1);
  });

  it('held hosts are never claimed', async () => {
    const hostIds = await addHosts(3);
    const jobId = await create({ hostIds, maxParallel: 1 });

    const claimed = await claimDispatchableJobs(database.db, { hostIds, jobId });

    expect(claimed.map((item) => item.hostId)).toEqual([hostIds[0]]);
  });
});

describe('cancel', () => {
  it('cancels hosts that have not started', async () => {
    const hostIds = await addHosts(4);
    const jobId = await create({ hostIds, maxParallel: 2 });
    const [running] = await finishReleasedStart(jobId);

    const result = await cancelJob(admin, { jobId });

    expect(result.cancelledHosts).toBe(2);
    expect(await countStatus(jobId, 'cancelled')).toBe(2);
    expect(await countStatus(jobId, 'running')).toBe(2);
    expect(await claimDispatchableJobs(database.db, { hostIds: hostIds.slice(2), jobId })).toEqual([]);
    expect((await getJob(admin, { jobId })).status).toBe('running');
    expect(running).toBeDefined();
  });

  it('closes the job as cancelled after running hosts stop', async () => {
    const hostIds = await addHosts(2);
    const jobId = await create({ hostIds, maxParallel: 1 });
    const [running] = await finishReleasedStart(jobId);
    await cancelJob(admin, { jobId });

    await recordJobResult(agent(running!), jobId, { ...failed, failure: { cause: 'cancelled', message: 'stopped at a safe point', retriable: false } });

    const job = await getJob(admin, { jobId });
    expect(job.status).toBe('cancelled');
    expect(job.stopReason).toBe('cancelled');
    expect(job.hosts.map((host) => host.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('keeps a result from past the safe point', async () => {
    const [hostId] = await addHosts(1);
    const jobId = await create({ hostIds: [hostId!] });
    await claimDispatchableJobs(database.db, { hostIds: [hostId!], jobId });
    await cancelJob(admin, { jobId });

    expect(await recordJobResult(agent(hostId!), jobId, succeeded)).toBe(true);

    const job = await getJob(admin, { jobId });
    expect(job.hosts[0]?.status).toBe('succeeded');
    expect(job.status).toBe('cancelled');
  });

  it('ignores a cancelled result for a cancelled host', async () => {
    const [hostId] = await addHosts(1);
    const jobId = await create({ hostIds: [hostId!] });
    await claimDispatchableJobs(database.db, { hostIds: [hostId!], jobId });
    await cancelJob(admin, { jobId });

    const stored = await recordJobResult(agent(hostId!), jobId, { ...failed, failure: { cause: 'cancelled', message: 'dropped from the queue', retriable: false } });

    expect(stored).toBe(false);
  });

  it('writes job.cancel and job.finish audit rows', async () => {
    const hostIds = await addHosts(1);
    const jobId = await create({ hostIds });

    await cancelJob(admin, { jobId });

    const rows = await database.sql<{ action: string }[]>`select action from audit_log where target_id = ${jobId} order by id`;
    expect(rows.map((row) => row.action)).toEqual(['job.create', 'job.cancel', 'job.finish']);
  });

  it('rejects cancelling a finished job', async () => {
    const hostIds = await addHosts(1);
    const jobId = await create({ hostIds });
    await cancelJob(admin, { jobId });

    await expect(cancelJob(admin, { jobId })).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('reboot', () => {
  async function rebootingJob(): Promise<{ jobId: string; hostId: string }> {
    const [hostId] = await addHosts(1);
    const jobId = await create({ hostIds: [hostId!], rebootPolicy: 'always', rebootTimeoutSeconds: 60 });
    await claimDispatchableJobs(database.db, { hostIds: [hostId!], jobId });
    await recordJobStarted(agent(hostId!), jobId);
    expect(await recordJobRebooting(agent(hostId!), jobId, 'boot-a', succeeded)).toBe(true);
    return { jobId, hostId: hostId! };
  }

  it('sends the reboot policy only when set', async () => {
    const [plain, rebooting] = await addHosts(2);
    const plainJob = await create({ hostIds: [plain!] });
    const rebootJob = await create({ hostIds: [rebooting!], rebootPolicy: 'if-required' });

    const [plainItem] = await claimDispatchableJobs(database.db, { hostIds: [plain!], jobId: plainJob });
    const [rebootItem] = await claimDispatchableJobs(database.db, { hostIds: [rebooting!], jobId: rebootJob });

    expect(plainItem?.request).toEqual({ action: 'upgrade-all', packages: [], dryRun: false, timeoutSeconds: 600 });
    expect(rebootItem?.request.rebootPolicy).toBe('if-required');
  });

  it('same boot id keeps the host rebooting', async () => {
    const { jobId, hostId } = await rebootingJob();

    expect(await completeRebootedHosts(agent(hostId), 'boot-a')).toEqual([]);

    expect(await countStatus(jobId, 'rebooting')).toBe(1);
  });

  it('new boot id completes the host', async () => {
    const { jobId, hostId } = await rebootingJob();

    expect(await completeRebootedHosts(agent(hostId), 'boot-b')).toEqual([jobId]);

    const job = await getJob(admin, { jobId });
    expect(job.status).toBe('succeeded');
    expect(job.hosts[0]?.status).toBe('succeeded');
    expect(job.hosts[0]?.rebootedAt).toBeInstanceOf(Date);
  });

  it('host back before the rebooting message completes at once', async () => {
    const [hostId] = await addHosts(1);
    const jobId = await create({ hostIds: [hostId!], rebootPolicy: 'always' });
    await claimDispatchableJobs(database.db, { hostIds: [hostId!], jobId });
    await recordJobStarted(agent(hostId!), jobId);
    await completeRebootedHosts(agent(hostId!), 'boot-new');

    await recordJobRebooting(agent(hostId!), jobId, 'boot-old', succeeded);

    expect((await getJob(admin, { jobId })).hosts[0]?.status).toBe('succeeded');
  });

  it('fails with reboot-timeout when the host does not return', async () => {
    const { jobId } = await rebootingJob();
    await database.sql`update job_hosts set reboot_started_at = now() - interval '61 seconds' where job_id = ${jobId}`;

    await expireJobs(admin);

    const job = await getJob(admin, { jobId });
    expect(job.hosts[0]).toMatchObject({ status: 'failed', failureCause: 'reboot-timeout' });
    expect(job.status).toBe('failed');
  });
});

describe('scope', () => {
  async function operatorInGroup(groupId: string): Promise<Context> {
    const [user] = await database.sql<{ id: string }[]>`insert into users (username, role, password_hash, password_changed_at)
      values (${`op-${groupId.slice(0, 8)}`}, 'operator', 'x', now()) returning id`;
    await database.sql`insert into user_group_members (group_id, user_id) values (${groupId}, ${user!.id})`;
    return {
      actor: { kind: 'user', userId: user!.id, username: 'op', role: 'operator', sessionId: '00000000-0000-4000-8000-0000000005e6', address: '127.0.0.1' },
      db: database.db,
    };
  }

  async function addGroup(name: string, hostIds: string[]): Promise<string> {
    const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values (${name}) returning id`;
    for (const hostId of hostIds) await database.sql`insert into host_group_members (group_id, host_id) values (${group!.id}, ${hostId})`;
    return group!.id;
  }

  it('resolves groups to their hosts at creation', async () => {
    const hostIds = await addHosts(3);
    const groupId = await addGroup('web', hostIds.slice(0, 2));
    const jobId = await create({ groupIds: [groupId] });
    await database.sql`insert into host_group_members (group_id, host_id) values (${groupId}, ${hostIds[2]!})`;

    const job = await getJob(admin, { jobId });
    expect(job.hosts.map((host) => host.hostId).sort()).toEqual(hostIds.slice(0, 2).sort());
    expect(job.scope).toEqual({ kind: 'groups', groupIds: [groupId] });
  });

  it('resolves a filter to matching hosts', async () => {
    const web = await addHosts(2, 'web');
    const db = await addHosts(1, 'db');
    await database.sql`update hosts set security_count = 3 where id = ${web[0]!}`;
    await database.sql`update hosts set status = 'offline' where id = ${db[0]!}`;

    const byName = await create({ filter: { namePattern: 'WEB-*' } });
    const bySecurity = await create({ filter: { hasSecurityUpdates: true } });
    const online = await create({ filter: { onlineOnly: true, namePattern: '*-0?' } });

    expect((await getJob(admin, { jobId: byName })).hosts.map((host) => host.hostId).sort()).toEqual([...web].sort());
    expect((await getJob(admin, { jobId: bySecurity })).hosts.map((host) => host.hostId)).toEqual([web[0]]);
    expect((await getJob(admin, { jobId: online })).hosts).toHaveLength(2);
  });

  it('filter wildcards do not pass LIKE wildcards through', async () => {
    await addHosts(2, 'web');

    await expect(create({ filter: { namePattern: 'web%' } })).rejects.toMatchObject({ code: 'invalid_input', field: 'filter' });
  });

  it('operator reaches only hosts of their groups', async () => {
    const hostIds = await addHosts(3);
    const groupId = await addGroup('mine', hostIds.slice(0, 2));
    const otherGroup = await addGroup('theirs', hostIds.slice(2));
    const operator = await operatorInGroup(groupId);

    await expect(createJob(operator, { hostIds: [hostIds[2]!], action: 'refresh' }, limits)).rejects.toMatchObject({ code: 'not_found', field: 'hostIds' });
    await expect(createJob(operator, { groupIds: [otherGroup], action: 'refresh' }, limits)).rejects.toMatchObject({ code: 'not_found', field: 'groupIds' });
    const { id } = await createJob(operator, { filter: {}, action: 'refresh' }, limits);

    expect((await getJob(admin, { jobId: id })).hosts.map((host) => host.hostId).sort()).toEqual(hostIds.slice(0, 2).sort());
    const jobs = await database.sql`select id from jobs`;
    expect(jobs).toHaveLength(1);
  });
});

describe('validation', () => {
  const cases: { name: string; input: Record<string, unknown>; field: string }[] = [
    { name: 'two scopes', input: { hostIds: ['00000000-0000-4000-8000-000000000001'], filter: {} }, field: 'hostIds' },
    { name: 'no scope', input: {}, field: 'hostIds' },
    { name: 'count and percent limit', input: { filter: {}, stopAfterFailures: 1, stopAfterFailurePercent: 10 }, field: 'stopAfterFailurePercent' },
    { name: 'canary size and percent', input: { filter: {}, canarySize: 1, canaryPercent: 10 }, field: 'canaryPercent' },
    { name: 'canary percent above 100', input: { filter: {}, canaryPercent: 101 }, field: 'canaryPercent' },
    { name: 'zero parallel hosts', input: { filter: {}, maxParallel: 0 }, field: 'maxParallel' },
    { name: 'fractional failure limit', input: { filter: {}, stopAfterFailures: 1.5 }, field: 'stopAfterFailures' },
    { name: 'unknown reboot policy', input: { filter: {}, rebootPolicy: 'sometimes' }, field: 'rebootPolicy' },
    { name: 'short reboot timeout', input: { filter: {}, rebootTimeoutSeconds: 1 }, field: 'rebootTimeoutSeconds' },
    { name: 'unknown filter field', input: { filter: { kernel: '6' } }, field: 'filter.kernel' },
    { name: 'invalid command id', input: { filter: {}, preCommandId: 'ls' }, field: 'preCommandId' },
  ];

  it.each(cases)('rejects $name', async ({ input, field }) => {
    await addHosts(1);

    const error = await createJob(admin, { action: 'refresh', ...input } as CreateJobInput, limits).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'invalid_input', field });
  });

  it('rejects an unknown approved command', async () => {
    const hostIds = await addHosts(1);

    const error = await createJob(admin, { hostIds, action: 'refresh', postCommandId: '00000000-0000-4000-8000-000000000009' }, limits).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'not_found', field: 'postCommandId' });
  });
});

describe('approved commands', () => {
  it('job keeps its copy after the command is deleted', async () => {
    const hostIds = await addHosts(1);
    const { id: commandId } = await createCommand(admin, { name: 'drain', argv: ['/usr/bin/true', '--drain'], timeoutSeconds: 30 });
    const jobId = await create({ hostIds, preCommandId: commandId });
    await deleteCommand(admin, { commandId });

    const [item] = await claimDispatchableJobs(database.db, { hostIds, jobId });

    expect(item?.request.preCommand).toEqual({ name: 'drain', argv: ['/usr/bin/true', '--drain'], timeoutSeconds: 30 });
  });

  it('only admins create and delete commands', async () => {
    const operator: Context = { ...admin, actor: { ...(admin.actor as Extract<Context['actor'], { kind: 'user' }>), role: 'operator' } };
    const { id } = await createCommand(admin, { name: 'reload', argv: ['/usr/bin/true'] });

    await expect(createCommand(operator, { name: 'x', argv: ['/usr/bin/true'] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(deleteCommand(operator, { commandId: id })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('rejects a duplicate name and a relative program', async () => {
    await createCommand(admin, { name: 'Reload', argv: ['/usr/bin/true'] });

    await expect(createCommand(admin, { name: 'reload', argv: ['/usr/bin/true'] })).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    await expect(createCommand(admin, { name: 'other', argv: ['true'] })).rejects.toMatchObject({ code: 'invalid_input', field: 'argv' });
  });

  it('audits create and delete', async () => {
    const { id } = await createCommand(admin, { name: 'audited', argv: ['/usr/bin/true'] });
    await deleteCommand(admin, { commandId: id });

    const rows = await database.sql<{ action: string }[]>`select action from audit_log where target_id = ${id} order by id`;
    expect(rows.map((row) => row.action)).toEqual(['command.create', 'command.delete']);
  });
});

describe('maintenance windows', () => {
  /** Creates a job that may wait three days for its hosts, so later windows still fall before its deadline. */
  async function createLongJob(input: Omit<CreateJobInput, 'action'>): Promise<string> {
    return (await createJob(admin, { action: 'upgrade-all', ...input } as CreateJobInput, { ...limits, hostWaitSeconds: 3 * 86_400 })).id;
  }

  /** Puts the hosts in a new group whose daily UTC window opens `opensInMinutes` from now and lasts an hour. */
  async function groupWithWindow(hostIds: string[], opensInMinutes: number): Promise<void> {
    const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values ('windowed') returning id`;
    const nowMinute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
    const startMinute = (((nowMinute + opensInMinutes) % 1440) + 1440) % 1440;
    await database.sql`insert into maintenance_windows (group_id, days_of_week, start_minute, duration_minutes, time_zone, position)
      values (${group!.id}, ${[0, 1, 2, 3, 4, 5, 6]}, ${startMinute}, 60, 'UTC', 0)`;
    for (const hostId of hostIds) {
      await database.sql`insert into host_group_members (group_id, host_id) values (${group!.id}, ${hostId})`;
    }
  }

  it('holds a host while its window is closed', async () => {
    const [windowed, free] = await addHosts(2);
    await groupWithWindow([windowed!], 120);

    const jobId = await createLongJob({ hostIds: [windowed!, free!] });
    const states = await hostStates(jobId);

    expect(states.get(windowed!)?.status).toBe('held');
    expect(states.get(free!)?.status).toBe('pending');
  });

  it('releases the host when its window opens', async () => {
    const [windowed] = await addHosts(1);
    await groupWithWindow([windowed!], 120);
    const jobId = await createLongJob({ hostIds: [windowed!] });

    const insideWindow = new Date(Date.now() + 125 * 60_000);
    await database.db.transaction((tx) => advanceJob(tx, jobId, insideWindow));

    expect((await hostStates(jobId)).get(windowed!)?.status).toBe('pending');
  });

  it('starts no further host after the window closes', async () => {
    const hostIds = await addHosts(2);
    await groupWithWindow(hostIds, 120);
    const jobId = await createLongJob({ hostIds, maxParallel: 1 });
    const insideWindow = new Date(Date.now() + 125 * 60_000);
    await database.db.transaction((tx) => advanceJob(tx, jobId, insideWindow));
    expect(await countStatus(jobId, 'pending')).toBe(1);

    // The first host finishes; the orchestrator next runs after the window closed.
    await database.sql`update job_hosts set status = 'succeeded', finished_at = now() where job_id = ${jobId} and status = 'pending'`;
    const afterClose = new Date(Date.now() + 185 * 60_000);
    await database.db.transaction((tx) => advanceJob(tx, jobId, afterClose));
    expect(await countStatus(jobId, 'pending')).toBe(0);
    expect(await countStatus(jobId, 'held')).toBe(1);

    const nextDayWindow = new Date(insideWindow.getTime() + 24 * 3600_000);
    await database.db.transaction((tx) => advanceJob(tx, jobId, nextDayWindow));
    expect(await countStatus(jobId, 'pending')).toBe(1);
  });
});
