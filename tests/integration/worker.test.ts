import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdFor, readActiveKey, readManifest, retiredKeyPath, signingKeyDirectory } from '@/lib/auth/signing-key-files';
import { ensureSigningKey } from '@/lib/auth/signing-keys';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { waitFor } from '../helpers/agent-process';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let database: TestDatabase;
let worker: ChildProcess;
let output = '';
let dataDir: string;
/** The kid of the signing key that is 91 days old when the worker starts. */
let agedKid: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-worker-'));
  ({ kid: agedKid } = await ensureSigningKey(dataDir, new Date(Date.now() - 91 * 24 * 3600 * 1000)));
  await database.sql`insert into hosts (hostname, status, last_seen_at) values
    ('silent', 'online', now() - interval '2 hours'), ('fresh', 'online', now())`;

  worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, PM_DATA_DIR: dataDir, PM_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('worker process', () => {
  it('marks silent hosts offline on its own', async () => {
    const statuses = await waitFor(
      'the worker to mark the silent host offline',
      async () => {
        const rows = await database.sql<{ hostname: string; status: string }[]>`select hostname, status from hosts order by hostname`;
        return rows.find((row) => row.hostname === 'silent')?.status === 'offline' ? rows : undefined;
      },
      60_000,
    );

    expect(statuses).toEqual([
      { hostname: 'fresh', status: 'online' },
      { hostname: 'silent', status: 'offline' },
    ]);
    await waitFor('the worker start line', async () => (output.includes('worker started') ? true : undefined), 60_000);
  });

  it('rotates a signing key that is 90 days old', async () => {
    const directory = signingKeyDirectory(dataDir);
    const records = await waitFor(
      'the worker to rotate the signing key',
      async () => {
        const manifest = await readManifest(directory);
        return manifest && manifest.length === 2 ? manifest : undefined;
      },
      60_000,
    );
    const aged = records.find((record) => record.kid === agedKid);
    const active = records.find((record) => record.retiredAt === null);
    const activeKey = await readActiveKey(directory);

    expect(aged?.retiredAt).toBeInstanceOf(Date);
    expect(Date.now() - aged!.retiredAt!.getTime()).toBeLessThan(120_000);
    expect(active?.kid).not.toBe(agedKid);
    expect(keyIdFor(activeKey!)).toBe(active?.kid);
    expect(fs.statSync(retiredKeyPath(directory, agedKid)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(directory, 'signing.pem')).mode & 0o777).toBe(0o600);
  });

  it('times out a job host past its deadline', async () => {
    const [host] = await database.sql<{ id: string }[]>`select id from hosts where hostname = 'silent'`;
    const [job] = await database.sql<{ id: string }[]>`insert into jobs (action, timeout_seconds, created_by, deadline_at)
      values ('upgrade-all', 60, 'test', now() - interval '1 minute') returning id`;
    await database.sql`insert into job_hosts (job_id, host_id) values (${job!.id}, ${host!.id})`;

    // The scheduled run comes at the next full minute; a restart runs every task at once.
    const status = await waitFor(
      'the worker to time out the job',
      async () => {
        const [row] = await database.sql<{ status: string }[]>`select status from jobs where id = ${job!.id}`;
        return row?.status === 'failed' ? row.status : undefined;
      },
      90_000,
    );

    expect(status).toBe('failed');
  }, 120_000);
});
