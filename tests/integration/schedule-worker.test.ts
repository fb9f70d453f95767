import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { createSchedule } from '@/lib/schedules/create-schedule';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { waitFor } from '../helpers/agent-process';

// The real worker process against its own database: its scheduler tick fires a
// due schedule and records the runs missed while no worker was running.

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MINUTE_MS = 60_000;

let database: TestDatabase;
let worker: ChildProcess | undefined;
let output = '';
let dataDir: string;
let oneOffId: string;
let recurringId: string;

interface RunRow {
  status: string;
  job_id: string | null;
}

beforeAll(async () => {
  database = await createTestDatabase({ appRole: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-schedule-worker-'));
  const admin: Context = { actor: { kind: 'system', name: 'test-admin' }, db: database.db };
  const [host] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status) values ('web-1', 'online') returning id`;
  const jobTemplate = { hostIds: [host!.id], action: 'refresh' };

  // Created "earlier", so the one-off run is 10 s overdue and the recurring one missed two hours of runs.
  const now = Date.now();
  oneOffId = (await createSchedule(admin, { name: 'one-off', kind: 'once', runAt: new Date(now - 10_000).toISOString(), jobTemplate }, { now: new Date(now - MINUTE_MS) })).id;
  recurringId = (await createSchedule(admin, { name: 'every 5 minutes', kind: 'recurring', cronExpression: '*/5 * * * *', jobTemplate }, { now: new Date(now - 120 * MINUTE_MS) })).id;

  worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, PM_DATABASE_APP_URL: database.app!.url, PM_DATA_DIR: dataDir, PM_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('scheduler in the worker process', () => {
  it('fires a due one-off schedule', async () => {
    const runs = await waitFor(
      'the worker to fire the one-off schedule',
      async () => {
        const rows = await database.sql<RunRow[]>`select status, job_id from schedule_runs where schedule_id = ${oneOffId}`;
        return rows.length > 0 ? rows : undefined;
      },
      60_000,
    );

    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('fired');
    const [job] = await database.sql<{ created_by: string }[]>`select created_by from jobs where id = ${runs[0]!.job_id}`;
    expect(job?.created_by).toBe('system:scheduler');
    const [schedule] = await database.sql<{ enabled: boolean }[]>`select enabled from schedules where id = ${oneOffId}`;
    expect(schedule?.enabled).toBe(false);
  });

  it('records runs missed before it started', async () => {
    const missed = await waitFor(
      'the worker to record missed runs',
      async () => {
        const rows = await database.sql<RunRow[]>`select status, job_id from schedule_runs where schedule_id = ${recurringId} and status = 'missed'`;
        return rows.length > 0 ? rows : undefined;
      },
      60_000,
    );

    // Two hours of a five-minute schedule: 24 or 25 occurrences, the latest of which may still be inside the grace period.
    expect(missed.length).toBeGreaterThanOrEqual(23);
    expect(missed.every((run) => run.job_id === null)).toBe(true);
    const [audit] = await database.sql<{ count: number }[]>`
      select count(*)::int as count from audit_log where action = 'schedule.missed' and target_id = ${recurringId}`;
    expect(audit?.count).toBe(1);
    expect(output).toContain('schedule missed runs');
  });
});
