// Times the dashboard and compliance queries on a large fleet and prints one JSON document. Usage:
//   npx tsx tests/bench/reports.ts
// BENCH_HOSTS (default 10000) and BENCH_PACKAGES_PER_HOST (default 1500, so 15M installed
// package rows) set the fleet size. It uses DATABASE_URL when set (creating and dropping a
// scratch database), else an embedded PostgreSQL in a temporary directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { Context } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@/lib/db/embedded';
import { runMigrations } from '@/lib/db/migrate';
import { getLogger } from '@/lib/log';
import { computeComplianceByOs } from '@/lib/reports/compliance-by-os';
import { countHostStates } from '@/lib/reports/count-host-states';
import { countJobOutcomesByDay } from '@/lib/reports/count-job-outcomes-by-day';
import { countJobsToday } from '@/lib/reports/count-jobs-today';
import { listJobReport } from '@/lib/reports/list-job-report';
import { listMostBehindHosts } from '@/lib/reports/list-most-behind-hosts';
import { parseReportPeriod } from '@/lib/reports/report-period';
import { countSecurityUpdateAges } from '@/lib/reports/security-update-ages';
import { takeComplianceSnapshot } from '@/lib/reports/take-compliance-snapshot';

const hostCount = Number(process.env.BENCH_HOSTS ?? 10_000);
const packagesPerHost = Number(process.env.BENCH_PACKAGES_PER_HOST ?? 1500);
const RUNS = 5;

let embedded: EmbeddedDatabase | null = null;
let tempDir: string | null = null;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-bench-reports-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  embedded = await startEmbeddedPostgres({ dataDir: tempDir, port, log: getLogger({ level: 'warn' }) });
  serverUrl = embedded.url;
}

const name = `pm_bench_${crypto.randomBytes(4).toString('hex')}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = openDatabase(url.toString(), { max: 4, applicationName: 'pm-bench' });
const ctx: Context = { actor: { kind: 'system', name: 'bench' }, db: database.db };

async function seed(): Promise<Record<string, number>> {
  const sql = database.sql;
  await sql`
    insert into hosts (hostname, os_name, os_version, status, inventory_at, last_seen_at, pending_count, security_count, reboot_required)
    select 'host-' || g,
      (array['Debian GNU/Linux', 'Ubuntu', 'Rocky Linux', 'AlmaLinux', 'openSUSE Leap', 'Fedora Linux'])[1 + g % 6],
      (array['12', '24.04', '9', '9', '15.6', '41'])[1 + g % 6],
      case when g % 20 = 0 then 'offline' when g % 100 = 1 then 'pending' else 'online' end,
      case when g % 100 = 1 then null else now() end, now(),
      case when g % 100 = 1 then 0 else (g * 7919) % 61 end, 0,
      case when g % 10 = 0 then 'yes' when g % 10 = 1 then 'unknown' else 'no' end
    from generate_series(1, ${hostCount}) g`;
  // About one pending update in five is a security update, first reported up to 200 days ago.
  await sql`
    insert into host_updates (host_id, name, arch, candidate, security, first_seen_at)
    select h.id, 'update-' || u, 'amd64', '2.0', (u + length(h.hostname)) % 5 = 0, now() - ((u * 13 + length(h.hostname) * 7) % 200) * interval '1 day'
    from hosts h, generate_series(1, h.pending_count) u`;
  await sql`
    update hosts h set security_count = s.count
    from (select host_id, count(*)::int as count from host_updates where security group by host_id) s
    where s.host_id = h.id`;
  await sql`
    insert into host_packages (host_id, name, arch, version, state)
    select h.id, 'package-' || p, 'amd64', '1.0-' || p, 'installed'
    from hosts h, generate_series(1, ${packagesPerHost}) p`;
  // 60 days of jobs, 100 a day, each over 20 hosts.
  await sql`
    insert into jobs (action, status, timeout_seconds, created_by, created_at, finished_at, deadline_at)
    select 'upgrade-all', (array['succeeded', 'failed', 'cancelled', 'succeeded'])[1 + j % 4], 600, 'bench',
      now() - (j % 60) * interval '1 day' - interval '1 hour', now() - (j % 60) * interval '1 day', now()
    from generate_series(1, 6000) j`;
  await sql`
    insert into job_hosts (job_id, host_id, status, exit_code, duration_ms)
    select j.id, h.id, 'succeeded', 0, 1000
    from (select id, row_number() over () as n from jobs) j
    join lateral (select id from hosts offset (j.n * 20) % ${Math.max(hostCount - 20, 1)} limit 20) h on true`;
  await sql`analyze`;

  const [counts] = await sql<{ hosts: number; updates: number; security: number; packages: number; job_hosts: number }[]>`
    select (select count(*)::int from hosts) as hosts, (select count(*)::int from host_updates) as updates,
      (select count(*)::int from host_updates where security) as security,
      (select count(*)::int from host_packages) as packages, (select count(*)::int from job_hosts) as job_hosts`;
  return counts!;
}

async function time(label: string, run: () => Promise<unknown>): Promise<{ name: string; medianMs: number; maxMs: number }> {
  const durations: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const started = performance.now();
    await run();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { name: label, medianMs: Math.round(durations[Math.floor(RUNS / 2)]! * 10) / 10, maxMs: Math.round(durations.at(-1)! * 10) / 10 };
}

try {
  await runMigrations(database);
  const seedStarted = performance.now();
  const rows = await seed();
  const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;

  const period = parseReportPeriod({});
  const results = [
    await time('countHostStates', () => countHostStates(ctx)),
    await time('countSecurityUpdateAges', () => countSecurityUpdateAges(ctx)),
    await time('countJobsToday', () => countJobsToday(ctx)),
    await time('countJobOutcomesByDay', () => countJobOutcomesByDay(ctx, { days: 30 })),
    await time('listMostBehindHosts', () => listMostBehindHosts(ctx, { limit: 10 })),
    await time('computeComplianceByOs', () => computeComplianceByOs(ctx)),
    await time('takeComplianceSnapshot', () => takeComplianceSnapshot(ctx, { replace: true })),
    await time('listJobReport (first 500)', () => listJobReport(ctx, { period, limit: 500 })),
  ];

  console.log('\nquery                          median ms   max ms');
  for (const result of results) {
    console.log(`${result.name.padEnd(30)} ${String(result.medianMs).padStart(9)} ${String(result.maxMs).padStart(8)}`);
  }
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version };
  console.log(`\n${JSON.stringify({ machine, rows, seedSeconds, runs: RUNS, results }, null, 2)}`);
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
  await embedded?.stop();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}
