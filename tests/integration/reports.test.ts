import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { getLogger } from '@/lib/log';
import { computeComplianceByOs } from '@/lib/reports/compliance-by-os';
import { countHostStates } from '@/lib/reports/count-host-states';
import { countJobOutcomesByDay } from '@/lib/reports/count-job-outcomes-by-day';
import { countJobsToday } from '@/lib/reports/count-jobs-today';
import { csvCell } from '@/lib/reports/csv';
import { exportComplianceCsv } from '@/lib/reports/export-compliance-csv';
import { exportJobsCsv, JOBS_CSV_COLUMNS } from '@/lib/reports/export-jobs-csv';
import { listComplianceHistory } from '@/lib/reports/list-compliance-history';
import { listJobReport, type JobReportCursor, type JobReportRow } from '@/lib/reports/list-job-report';
import { listMostBehindHosts } from '@/lib/reports/list-most-behind-hosts';
import { parseReportPeriod } from '@/lib/reports/report-period';
import { countSecurityUpdateAges } from '@/lib/reports/security-update-ages';
import { takeComplianceSnapshot } from '@/lib/reports/take-compliance-snapshot';
import { runComplianceSnapshot } from '@/workers/tasks/compliance-snapshot';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const NOW = new Date('2030-03-15T12:00:00Z');
const DAY_MS = 86_400_000;
const log = getLogger({ level: 'silent' });

let database: TestDatabase;
let ctx: Context;

function daysAgo(days: number, hours = 0): Date {
  return new Date(NOW.getTime() - days * DAY_MS - hours * 3_600_000);
}

/** Timestamps go to postgres.js as ISO text, because drizzle replaces its Date serialiser on the shared client. */
function iso(date: Date): string {
  return date.toISOString();
}

interface SeedHost {
  name: string;
  status: 'online' | 'offline' | 'pending';
  inventory: boolean;
  pending: number;
  security: number;
  reboot: 'yes' | 'no' | 'unknown';
  os: [string, string];
  removed?: boolean;
  /** Ages in days of the host's pending security updates. */
  securityAges?: number[];
  /** Ages in days of its other pending updates. */
  otherAges?: number[];
}

// Expected states: up to date a, f; behind b, c, h, i; offline d; awaiting inventory e; g removed.
const HOSTS: SeedHost[] = [
  { name: 'a', status: 'online', inventory: true, pending: 0, security: 0, reboot: 'no', os: ['Debian GNU/Linux', '12'] },
  { name: 'b', status: 'online', inventory: true, pending: 6, security: 3, reboot: 'yes', os: ['Debian GNU/Linux', '12'], securityAges: [1, 3, 10], otherAges: [200, 200, 200] },
  { name: 'c', status: 'online', inventory: true, pending: 3, security: 0, reboot: 'no', os: ['Ubuntu', '24.04'], otherAges: [1, 2, 3] },
  { name: 'd', status: 'offline', inventory: true, pending: 4, security: 1, reboot: 'unknown', os: ['Ubuntu', '24.04'], securityAges: [100], otherAges: [1, 1, 1] },
  { name: 'e', status: 'pending', inventory: false, pending: 0, security: 0, reboot: 'unknown', os: ['', ''] },
  { name: 'f', status: 'online', inventory: true, pending: 0, security: 0, reboot: 'yes', os: ['Rocky Linux', '9'] },
  { name: 'g', status: 'online', inventory: true, pending: 9, security: 9, reboot: 'yes', os: ['Debian GNU/Linux', '12'], removed: true, securityAges: [1, 1, 1, 1, 1, 1, 1, 1, 1] },
  { name: 'h', status: 'online', inventory: true, pending: 2, security: 2, reboot: 'no', os: ['Rocky Linux', '9'], securityAges: [7, 45] },
  { name: 'i', status: 'online', inventory: true, pending: 1, security: 1, reboot: 'no', os: ['Ubuntu', '24.04'], securityAges: [5] },
];

const hostIds = new Map<string, string>();

async function seedHosts(): Promise<void> {
  for (const host of HOSTS) {
    const [row] = await database.sql<{ id: string }[]>`
      insert into hosts (hostname, status, inventory_at, pending_count, security_count, reboot_required, os_name, os_version, removed_at, last_seen_at)
      values (${host.name}, ${host.status}, ${host.inventory ? iso(daysAgo(0, 1)) : null}, ${host.pending}, ${host.security}, ${host.reboot},
        ${host.os[0]}, ${host.os[1]}, ${host.removed ? iso(daysAgo(1)) : null}, ${iso(daysAgo(0, 1))})
      returning id`;
    hostIds.set(host.name, row!.id);

    const updates = [
      ...(host.securityAges ?? []).map((age) => ({ age, security: true })),
      ...(host.otherAges ?? []).map((age) => ({ age, security: false })),
    ];
    for (const [index, update] of updates.entries()) {
      await database.sql`
        insert into host_updates (host_id, name, arch, candidate, security, first_seen_at)
        values (${row!.id}, ${`pkg${index}`}, 'amd64', '2.0', ${update.security}, ${iso(daysAgo(update.age))})`;
    }
  }
}

interface SeedJob {
  status: string;
  created: Date;
  finished: Date | null;
}

const JOBS: SeedJob[] = [
  { status: 'succeeded', created: daysAgo(0, 3), finished: daysAgo(0, 2) },
  { status: 'running', created: daysAgo(0, 1), finished: null },
  // Created yesterday, finished today: today's outcome, not today's job.
  { status: 'failed', created: daysAgo(0, 13), finished: daysAgo(0, 11.5) },
  { status: 'succeeded', created: daysAgo(5), finished: daysAgo(5) },
  { status: 'failed', created: daysAgo(5), finished: daysAgo(5) },
  { status: 'failed', created: daysAgo(5), finished: daysAgo(5) },
  { status: 'cancelled', created: daysAgo(5), finished: daysAgo(5) },
  // Outside the 30-day chart.
  { status: 'succeeded', created: daysAgo(31), finished: daysAgo(31) },
];

const jobIds: string[] = [];

async function seedJobs(): Promise<void> {
  for (const job of JOBS) {
    const [row] = await database.sql<{ id: string }[]>`
      insert into jobs (action, status, timeout_seconds, created_by, created_at, finished_at, deadline_at)
      values ('upgrade-all', ${job.status}, 600, 'user:alice', ${iso(job.created)}, ${job.finished ? iso(job.finished) : null},
        ${iso(new Date(job.created.getTime() + DAY_MS))})
      returning id`;
    jobIds.push(row!.id);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  ctx = { actor: { kind: 'system', name: 'test' }, db: database.db };
  await seedHosts();
  await seedJobs();
});

afterAll(async () => {
  await database?.drop();
});

/** Parses RFC 4180 CSV text into records of cells. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      index++;
    } else {
      cell += char;
    }
  }
  return records;
}

describe('dashboard figures', () => {
  it('counts hosts by state', async () => {
    const counts = await countHostStates(ctx);

    expect(counts).toEqual({
      hosts: 8,
      upToDate: 2,
      behind: 4,
      offline: 1,
      awaitingInventory: 1,
      withSecurity: 4,
      rebootPending: 2,
      rebootUnknown: 2,
    });
    expect(counts.upToDate + counts.behind + counts.offline + counts.awaitingInventory).toBe(counts.hosts);
  });

  it.each([
    { key: 'under7', updates: 3, hosts: 2 },
    { key: 'from7to30', updates: 2, hosts: 2 },
    { key: 'from30to90', updates: 1, hosts: 1 },
    { key: 'over90', updates: 1, hosts: 1 },
  ])('counts security updates aged $key', async ({ key, updates, hosts }) => {
    const buckets = await countSecurityUpdateAges(ctx, { now: NOW });
    const bucket = buckets.find((item) => item.key === key);

    expect(bucket?.updates).toBe(updates);
    expect(bucket?.hosts).toBe(hosts);
  });

  it('returns age buckets in order', async () => {
    const buckets = await countSecurityUpdateAges(ctx, { now: NOW });

    expect(buckets.map((bucket) => bucket.key)).toEqual(['under7', 'from7to30', 'from30to90', 'over90']);
  });

  it('counts jobs created today', async () => {
    const today = await countJobsToday(ctx, { now: NOW });

    expect(today).toEqual({ total: 2, queued: 0, running: 1, succeeded: 1, failed: 0, cancelled: 0 });
  });

  it('counts job outcomes per day', async () => {
    const days = await countJobOutcomesByDay(ctx, { days: 30, now: NOW });

    expect(days).toHaveLength(30);
    expect(days[0]!.day).toBe('2030-02-14');
    expect(days.at(-1)).toEqual({ day: '2030-03-15', succeeded: 1, failed: 1, cancelled: 0 });
    expect(days.find((day) => day.day === '2030-03-10')).toEqual({ day: '2030-03-10', succeeded: 1, failed: 2, cancelled: 1 });
    const others = days.filter((day) => day.day !== '2030-03-15' && day.day !== '2030-03-10');
    expect(others.every((day) => day.succeeded + day.failed + day.cancelled === 0)).toBe(true);
  });

  it('rejects an outcome span beyond a year', async () => {
    await expect(countJobOutcomesByDay(ctx, { days: 400, now: NOW })).rejects.toThrow(/days: expected a whole number/);
  });

  it('orders hosts most behind first', async () => {
    const hosts = await listMostBehindHosts(ctx, { limit: 10 });

    expect(hosts.map((host) => host.hostname)).toEqual(['b', 'h', 'd', 'i', 'c']);
    expect(hosts[0]!.oldestSecurityAt?.toISOString()).toBe(daysAgo(10).toISOString());
    expect(hosts.at(-1)!.oldestSecurityAt).toBeNull();
  });
});

describe('compliance report', () => {
  it('computes live figures per OS', async () => {
    const rows = await computeComplianceByOs(ctx);

    expect(rows.map((row) => [row.scope, row.osName, row.osVersion, row.hosts, row.upToDate, row.behind, row.offline, row.awaitingInventory, row.withSecurity, row.rebootPending])).toEqual([
      ['overall', '', '', 8, 2, 4, 1, 1, 4, 2],
      ['os', 'Ubuntu', '24.04', 3, 0, 2, 1, 0, 2, 0],
      ['os', 'Debian GNU/Linux', '12', 2, 1, 1, 0, 0, 1, 1],
      ['os', 'Rocky Linux', '9', 2, 1, 1, 0, 0, 1, 1],
      ['os', '', '', 1, 0, 0, 0, 1, 0, 0],
    ]);
  });

  it('takes one snapshot per day', async () => {
    const first = await takeComplianceSnapshot(ctx, { now: NOW });
    const second = await takeComplianceSnapshot(ctx, { now: NOW });

    expect(first).toEqual({ snapshotDate: '2030-03-15', taken: true, rows: 5 });
    expect(second).toEqual({ snapshotDate: '2030-03-15', taken: false, rows: 0 });
  });

  it('replaces the day on request', async () => {
    await database.sql`update hosts set status = 'offline' where hostname = 'a'`;
    try {
      const outcome = await takeComplianceSnapshot(ctx, { now: NOW, replace: true });
      const [overall] = await listComplianceHistory(ctx, { period: { from: '2030-03-15', to: '2030-03-15' }, series: 'overall' });

      expect(outcome.rows).toBe(5);
      expect(overall?.offline).toBe(2);
      expect(overall?.upToDate).toBe(1);
    } finally {
      await database.sql`update hosts set status = 'online' where hostname = 'a'`;
    }
  });

  it('lists history of one OS', async () => {
    await takeComplianceSnapshot(ctx, { now: new Date(NOW.getTime() - 2 * DAY_MS) });

    const history = await listComplianceHistory(ctx, {
      period: { from: '2030-03-01', to: '2030-03-15' },
      series: { osName: 'Ubuntu', osVersion: '24.04' },
    });

    expect(history.map((row) => [row.snapshotDate, row.hosts, row.behind])).toEqual([
      ['2030-03-13', 3, 2],
      ['2030-03-15', 3, 2],
    ]);
  });

  it('snapshot task writes rows for today', async () => {
    await runComplianceSnapshot(ctx, log);

    const today = new Date().toISOString().slice(0, 10);
    const rows = await database.sql<{ scope: string; hosts: number }[]>`
      select scope, hosts from compliance_snapshots where snapshot_date = ${today}::date order by scope, os_name`;
    expect(rows.length).toBe(5);
    expect(rows.find((row) => row.scope === 'overall')?.hosts).toBe(8);
  });

  it('exports live compliance as CSV', async () => {
    const text = await new Response(exportComplianceCsv(ctx, { period: null, now: NOW })).text();
    const records = parseCsv(text);

    expect(records[0]).toEqual([
      'date', 'taken_at', 'scope', 'os_name', 'os_version', 'hosts', 'up_to_date', 'behind', 'offline',
      'awaiting_inventory', 'with_security_updates', 'reboot_pending', 'up_to_date_percent', 'group_name',
    ]);
    expect(records[1]).toEqual(['2030-03-15', NOW.toISOString(), 'overall', '', '', '8', '2', '4', '1', '1', '4', '2', '25', '']);
    expect(records).toHaveLength(6);
  });

  it('exports snapshot history as CSV', async () => {
    const text = await new Response(exportComplianceCsv(ctx, { period: { from: '2030-03-13', to: '2030-03-15' } })).text();
    const records = parseCsv(text).slice(1);

    expect(records.map((record) => `${record[0]} ${record[2]}`)).toEqual([
      '2030-03-13 overall', '2030-03-13 os', '2030-03-13 os', '2030-03-13 os', '2030-03-13 os',
      '2030-03-15 overall', '2030-03-15 os', '2030-03-15 os', '2030-03-15 os', '2030-03-15 os',
    ]);
  });
});

describe('CSV export', () => {
  it.each([
    { value: '=1+2', cell: "'=1+2" },
    { value: '+SUM(A1:A2)', cell: "'+SUM(A1:A2)" },
    { value: '-2+3', cell: "'-2+3" },
    { value: '@SUM(A1)', cell: "'@SUM(A1)" },
    { value: '\t=1', cell: "'\t=1" },
    { value: 'a,b', cell: '"a,b"' },
    { value: 'say "hi"', cell: '"say ""hi"""' },
    { value: 'two\nlines', cell: '"two\nlines"' },
    { value: '=HYPERLINK("http://x","y")', cell: '"\'=HYPERLINK(""http://x"",""y"")"' },
    { value: 'plain', cell: 'plain' },
  ])('escapes $value', ({ value, cell }) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('exports one row per job host', async () => {
    const [failedJob] = jobIds.slice(4, 5);
    await database.sql`
      insert into job_hosts (job_id, host_id, status, exit_code, failure_cause, failure_message, changes, started_at, finished_at, duration_ms)
      values
        (${failedJob!}, ${hostIds.get('b')!}, 'failed', 100, 'lock-held', ${'=HYPERLINK("http://evil","x"), held by "apt", pid 7\nsecond line'},
          '[]'::jsonb, ${iso(daysAgo(5))}, ${iso(daysAgo(5))}, 1234),
        (${failedJob!}, ${hostIds.get('c')!}, 'succeeded', 0, null, null,
          '[{"name":"openssl","before":"1","after":"2"},{"name":"curl","before":"1","after":"2"}]'::jsonb, ${iso(daysAgo(5))}, ${iso(daysAgo(5))}, 60000)`;

    const text = await new Response(exportJobsCsv(ctx, { period: { from: '2030-03-10', to: '2030-03-10' } })).text();
    const records = parseCsv(text);
    const header = records[0]!;
    const rows = records.slice(1).map((record) => Object.fromEntries(header.map((name, index) => [name, record[index]])));

    expect(header).toEqual([...JOBS_CSV_COLUMNS]);
    expect(rows).toHaveLength(2);
    const failed = rows.find((row) => row.hostname === 'b');
    expect(failed?.status).toBe('failed');
    expect(failed?.exit_code).toBe('100');
    expect(failed?.failure_cause).toBe('lock-held');
    expect(failed?.failure_message).toBe('\'=HYPERLINK("http://evil","x"), held by "apt", pid 7\nsecond line');
    expect(failed?.duration_seconds).toBe('1.234');
    const succeeded = rows.find((row) => row.hostname === 'c');
    expect(succeeded?.changed_packages).toBe('2');
    expect(succeeded?.package_changes).toBe('openssl 1 -> 2; curl 1 -> 2');
    expect(failed?.package_changes).toBe('');
    expect(succeeded?.duration_seconds).toBe('60.000');
  });

  it('pages the job report without gaps', async () => {
    const [job] = jobIds.slice(0, 1);
    for (const name of ['a', 'c', 'd', 'f', 'h']) {
      await database.sql`insert into job_hosts (job_id, host_id, status) values (${job!}, ${hostIds.get(name)!}, 'succeeded')`;
    }
    const period = { from: '2030-03-15', to: '2030-03-15' };

    const seen: string[] = [];
    let after: JobReportCursor | null = null;
    for (let page = 0; page < 5; page++) {
      const rows: JobReportRow[] = await listJobReport(ctx, { period, after, limit: 2 });
      seen.push(...rows.map((row) => row.hostname));
      const last = rows.at(-1);
      if (!last) break;
      after = { jobCreatedAt: last.jobCreatedAt, jobId: last.jobId, hostId: last.hostId };
    }

    expect(seen.sort()).toEqual(['a', 'c', 'd', 'f', 'h']);
  });
});

describe('report period', () => {
  it.each([
    { input: {}, expected: { from: '2030-02-14', to: '2030-03-15' } },
    { input: { from: '2030-01-01', to: '2030-01-31' }, expected: { from: '2030-01-01', to: '2030-01-31' } },
    { input: { to: '2030-01-31' }, expected: { from: '2030-01-02', to: '2030-01-31' } },
  ])('parses $input', ({ input, expected }) => {
    expect(parseReportPeriod(input, { now: NOW })).toEqual(expected);
  });

  it.each([
    { input: { from: '2030-02-30' }, message: /from: expected a date/ },
    { input: { to: '15.03.2030' }, message: /to: expected a date/ },
    { input: { from: '2030-03-16', to: '2030-03-15' }, message: /on or before to/ },
    { input: { from: '2028-01-01', to: '2030-01-01' }, message: /at most 366 days/ },
  ])('rejects $input', ({ input, message }) => {
    expect(() => parseReportPeriod(input, { now: NOW })).toThrow(message);
  });
});
