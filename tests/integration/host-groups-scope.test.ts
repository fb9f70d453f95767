import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, Role } from '@/lib/context';
import { ForbiddenError, NotFoundError } from '@/lib/errors';
import { setUserGroups } from '@/lib/groups/set-user-groups';
import { getHost } from '@/lib/hosts/get-host';
import { listHostPackages } from '@/lib/hosts/list-host-packages';
import { listHosts } from '@/lib/hosts/list-hosts';
import { removeHost } from '@/lib/hosts/remove-host';
import { createJob } from '@/lib/patching/create-job';
import { getJob } from '@/lib/patching/get-job';
import { listJobOutput } from '@/lib/patching/list-job-output';
import { listJobs } from '@/lib/patching/list-jobs';
import { computeComplianceByGroup } from '@/lib/reports/compliance-by-group';
import { computeComplianceByOs } from '@/lib/reports/compliance-by-os';
import { countHostStates } from '@/lib/reports/count-host-states';
import { countJobOutcomesByDay } from '@/lib/reports/count-job-outcomes-by-day';
import { countJobsToday } from '@/lib/reports/count-jobs-today';
import { exportComplianceCsv } from '@/lib/reports/export-compliance-csv';
import { exportJobsCsv } from '@/lib/reports/export-jobs-csv';
import { getDashboard } from '@/lib/reports/get-dashboard';
import { listComplianceHistory } from '@/lib/reports/list-compliance-history';
import { listJobReport } from '@/lib/reports/list-job-report';
import { listMostBehindHosts } from '@/lib/reports/list-most-behind-hosts';
import { countSecurityUpdateAges } from '@/lib/reports/security-update-ages';
import { takeComplianceSnapshot } from '@/lib/reports/take-compliance-snapshot';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// Operator scoping at the lib/ level against a real database. Hosts: a1 and a2 in
// group A, b1 in group B, ab in both, n1 in none. The Operator is assigned to A.

let database: TestDatabase;
let admin: Context;
let operator: Context;
let loner: Context;
const hostIds = new Map<string, string>();
const groupIds = new Map<string, string>();
const jobIds = new Map<string, string>();
const limits = { defaultTimeoutSeconds: 600, hostWaitSeconds: 3600 };
const TODAY = new Date().toISOString().slice(0, 10);
const PERIOD = { from: TODAY, to: TODAY };

async function addUser(username: string, role: Role): Promise<Context> {
  const [row] = await database.sql<{ id: string }[]>`insert into users (username, role) values (${username}, ${role}) returning id`;
  return {
    actor: { kind: 'user', userId: row!.id, username, role, sessionId: '00000000-0000-4000-8000-0000000005e5', address: '127.0.0.1' },
    db: database.db,
  };
}

function host(name: string): string {
  return hostIds.get(name)!;
}

async function counts() {
  const [row] = await database.sql<{ hosts: number; removed: number; jobs: number; job_hosts: number }[]>`
    select (select count(*)::int from hosts) as hosts,
      (select count(*)::int from hosts where removed_at is not null) as removed,
      (select count(*)::int from jobs) as jobs,
      (select count(*)::int from job_hosts) as job_hosts`;
  return row!;
}

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(NotFoundError);
}

async function insertJob(name: string, hosts: string[], status: string): Promise<void> {
  const finished = status === 'succeeded' || status === 'failed';
  const [job] = await database.sql<{ id: string }[]>`
    insert into jobs (action, status, timeout_seconds, created_by, deadline_at, finished_at)
    values ('refresh', ${status}, 600, 'test', now() + interval '1 hour', ${finished ? new Date().toISOString() : null})
    returning id`;
  jobIds.set(name, job!.id);
  for (const hostName of hosts) {
    await database.sql`insert into job_hosts (job_id, host_id, status) values (${job!.id}, ${host(hostName)}, ${status === 'succeeded' ? 'succeeded' : 'pending'})`;
    await database.sql`insert into job_output (job_id, host_id, seq, stream, line) values (${job!.id}, ${host(hostName)}, 0, 'stdout', ${`output of ${name}`})`;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = await addUser('scope-admin', 'admin');
  operator = await addUser('scope-operator', 'operator');
  loner = await addUser('scope-loner', 'operator');

  for (const name of ['a1', 'a2', 'b1', 'ab', 'n1']) {
    const [row] = await database.sql<{ id: string }[]>`
      insert into hosts (hostname, status, inventory_at, last_seen_at, pending_count, security_count, os_name, os_version)
      values (${name}, 'online', now(), now(), 2, 1, 'Debian GNU/Linux', '12') returning id`;
    hostIds.set(name, row!.id);
    await database.sql`insert into host_updates (host_id, name, arch, installed, candidate, security)
      values (${row!.id}, 'openssl', 'amd64', '3.0.1', '3.0.2', true), (${row!.id}, 'curl', 'amd64', '7.0', '7.1', false)`;
    await database.sql`insert into host_packages (host_id, name, arch, version, state) values (${row!.id}, 'openssl', 'amd64', '3.0.1', 'installed')`;
  }
  for (const name of ['A', 'B']) {
    const [row] = await database.sql<{ id: string }[]>`insert into host_groups (name) values (${name}) returning id`;
    groupIds.set(name, row!.id);
  }
  const members: [string, string][] = [['A', 'a1'], ['A', 'a2'], ['B', 'b1'], ['A', 'ab'], ['B', 'ab']];
  for (const [group, hostName] of members) {
    await database.sql`insert into host_group_members (group_id, host_id) values (${groupIds.get(group)!}, ${host(hostName)})`;
  }
  await database.sql`insert into user_group_members (group_id, user_id) values (${groupIds.get('A')!}, ${(operator.actor as { userId: string }).userId})`;

  await insertJob('jobA', ['a1'], 'succeeded');
  await insertJob('jobMixed', ['a1', 'b1'], 'succeeded');
  await insertJob('jobB', ['b1'], 'running');
  await takeComplianceSnapshot({ actor: { kind: 'system', name: 'test' }, db: database.db });
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe('Operator scope in lists and reports', () => {
  it('lists only hosts of the Operator groups', async () => {
    const result = await listHosts(operator, { sort: 'hostname' });

    expect(result.items.map((item) => item.hostname)).toEqual(['a1', 'a2', 'ab']);
    expect(result.total).toBe(3);
    expect(result.items.find((item) => item.hostname === 'ab')?.groups).toEqual(['A', 'B']);
  });

  it('lists every host for an Admin', async () => {
    const result = await listHosts(admin, { sort: 'hostname' });

    expect(result.items.map((item) => item.hostname)).toEqual(['a1', 'a2', 'ab', 'b1', 'n1']);
  });

  it('shows nothing to an Operator without groups', async () => {
    expect((await listHosts(loner, {})).total).toBe(0);
    expect((await listJobs(loner, { page: 1, pageSize: 50 })).total).toBe(0);
    expect((await countHostStates(loner)).hosts).toBe(0);
    await expectNotFound(getHost(loner, { hostId: host('a1') }));
  });

  it('lists only jobs whose every host is visible', async () => {
    const result = await listJobs(operator, { page: 1, pageSize: 50 });

    expect(result.items.map((item) => item.id)).toEqual([jobIds.get('jobA')]);
    expect(result.total).toBe(1);
  });

  it('counts only visible hosts on the dashboard', async () => {
    const dashboard = await getDashboard(operator);

    expect(dashboard.hosts.hosts).toBe(3);
    expect(dashboard.mostBehind.map((row) => row.hostname).sort()).toEqual(['a1', 'a2', 'ab']);
    expect(dashboard.securityAges.reduce((sum, bucket) => sum + bucket.updates, 0)).toBe(3);
    expect(dashboard.jobsToday.total).toBe(1);
    expect(dashboard.jobOutcomes.reduce((sum, day) => sum + day.succeeded, 0)).toBe(1);
  });

  it('scopes each dashboard figure alone', async () => {
    expect((await countHostStates(operator)).hosts).toBe(3);
    expect((await listMostBehindHosts(operator)).length).toBe(3);
    expect((await countSecurityUpdateAges(operator)).reduce((sum, bucket) => sum + bucket.hosts, 0)).toBe(3);
    expect((await countJobsToday(operator)).total).toBe(1);
    expect((await countJobOutcomesByDay(operator, { days: 1 }))[0]?.succeeded).toBe(1);
    expect((await countHostStates(admin)).hosts).toBe(5);
    expect((await countJobsToday(admin)).total).toBe(3);
  });

  it('computes compliance over visible hosts', async () => {
    const rows = await computeComplianceByOs(operator);

    expect(rows.find((row) => row.scope === 'overall')?.hosts).toBe(3);
    expect(rows.filter((row) => row.scope === 'os').map((row) => row.hosts)).toEqual([3]);
  });

  it('computes compliance by group', async () => {
    const forOperator = await computeComplianceByGroup(operator);
    const forAdmin = await computeComplianceByGroup(admin);

    expect(forOperator.map((row) => [row.groupName, row.hosts, row.behind])).toEqual([['A', 3, 3]]);
    expect(forAdmin.map((row) => [row.groupName, row.hosts])).toEqual([['A', 3], ['B', 2]]);
  });

  it('stores group rows in the snapshot', async () => {
    const rows = await database.sql<{ scope: string; group_name: string; hosts: number }[]>`
      select scope, group_name, hosts from compliance_snapshots where scope = 'group' order by group_name`;

    expect(rows.map((row) => [row.group_name, row.hosts])).toEqual([['A', 3], ['B', 2]]);
  });

  it('reads only own group snapshots', async () => {
    const all = await listComplianceHistory(operator, { period: PERIOD, series: 'all' });
    const overall = await listComplianceHistory(operator, { period: PERIOD, series: 'overall' });
    const groupB = await listComplianceHistory(operator, { period: PERIOD, series: { groupId: groupIds.get('B')! } });
    const adminAll = await listComplianceHistory(admin, { period: PERIOD, series: 'all' });

    expect(all.map((row) => [row.scope, row.groupName])).toEqual([['group', 'A']]);
    expect(overall).toEqual([]);
    expect(groupB).toEqual([]);
    expect(adminAll.map((row) => row.scope)).toEqual(['overall', 'os', 'group', 'group']);
  });

  it('lists only visible jobs in the job report', async () => {
    const rows = await listJobReport(operator, { period: PERIOD, limit: 100 });

    expect(rows.map((row) => row.jobId)).toEqual([jobIds.get('jobA')]);
  });

  it('exports only visible rows as CSV', async () => {
    const jobsCsv = await new Response(exportJobsCsv(operator, { period: PERIOD })).text();
    const complianceCsv = await new Response(exportComplianceCsv(operator, { period: null })).text();

    expect(jobsCsv).toContain(jobIds.get('jobA'));
    expect(jobsCsv).not.toContain(jobIds.get('jobMixed'));
    expect(jobsCsv).not.toContain(jobIds.get('jobB'));
    const lines = complianceCsv.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(',overall,');
    expect(lines[3]).toMatch(/,group,.*,A$/);
    expect(complianceCsv).not.toMatch(/,B\r\n/);
  });
});

describe('Operator access to out-of-group hosts and jobs', () => {
  it('reads an out-of-group host as not found', async () => {
    await expectNotFound(getHost(operator, { hostId: host('b1') }));
    await expectNotFound(getHost(operator, { hostId: host('n1') }));
    await expectNotFound(listHostPackages(operator, { hostId: host('b1'), page: 1, pageSize: 10 }));
  });

  it('reads an own host with its groups', async () => {
    const detail = await getHost(operator, { hostId: host('ab') });

    expect(detail.groups.map((group) => group.name)).toEqual(['A', 'B']);
    expect(detail.jobs).toEqual([]);
    expect((await getHost(operator, { hostId: host('a1') })).jobs.map((job) => job.id)).toEqual([jobIds.get('jobA')]);
  });

  it('rejects host removal, keeps the host', async () => {
    const before = await counts();

    await expect(removeHost(operator, { hostId: host('b1') })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removeHost(operator, { hostId: host('a1') })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await counts()).toEqual(before);
  });

  it('creates no job for an out-of-group host', async () => {
    const before = await counts();

    await expectNotFound(createJob(operator, { hostIds: [host('b1')], action: 'refresh' }, limits));
    await expectNotFound(createJob(operator, { hostIds: [host('a1'), host('n1')], action: 'refresh' }, limits));
    expect(await counts()).toEqual(before);
  });

  it('creates a job for own hosts', async () => {
    const { id } = await createJob(operator, { hostIds: [host('a1'), host('ab')], action: 'refresh' }, limits);

    expect((await getJob(operator, { jobId: id })).hosts).toHaveLength(2);
    await database.sql`delete from jobs where id = ${id}`;
  });

  it('reads out-of-group jobs and output as not found', async () => {
    await expectNotFound(getJob(operator, { jobId: jobIds.get('jobMixed')! }));
    await expectNotFound(getJob(operator, { jobId: jobIds.get('jobB')! }));
    await expectNotFound(listJobOutput(operator, { jobId: jobIds.get('jobB')!, afterId: 0, limit: 10 }));
    await expectNotFound(listJobOutput(operator, { jobId: jobIds.get('jobMixed')!, afterId: 0, limit: 10 }));
  });

  it('reads own job output', async () => {
    const lines = await listJobOutput(operator, { jobId: jobIds.get('jobA')!, afterId: 0, limit: 10 });

    expect(lines.map((line) => line.line)).toEqual(['output of jobA']);
  });
});

describe('group changes', () => {
  it('apply to the next query', async () => {
    const userId = (operator.actor as { userId: string }).userId;

    await setUserGroups(admin, { userId, groupIds: [groupIds.get('B')!] });
    expect((await listHosts(operator, { sort: 'hostname' })).items.map((item) => item.hostname)).toEqual(['ab', 'b1']);
    await expectNotFound(getHost(operator, { hostId: host('a1') }));
    expect((await getJob(operator, { jobId: jobIds.get('jobB')! })).id).toBe(jobIds.get('jobB'));

    await setUserGroups(admin, { userId, groupIds: [] });
    expect((await listHosts(operator, {})).total).toBe(0);

    await setUserGroups(admin, { userId, groupIds: [groupIds.get('A')!] });
    expect((await listHosts(operator, {})).total).toBe(3);
  });

  it('lifts the scope for an Admin', async () => {
    const promoted: Context = { ...operator, actor: { ...(operator.actor as Extract<Context['actor'], { kind: 'user' }>), role: 'admin' } };

    expect((await listHosts(promoted, {})).total).toBe(5);
    expect((await getJob(promoted, { jobId: jobIds.get('jobMixed')! })).hosts).toHaveLength(2);
  });
});
