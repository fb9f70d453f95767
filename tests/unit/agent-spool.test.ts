import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FINISHED_IDS_LIMIT, ResultSpool } from '@/agent/spool';
import type { PatchOutcomeMessage } from '@/lib/agent-protocol/schema';

function outcome(overrides: Partial<PatchOutcomeMessage> = {}): PatchOutcomeMessage {
  return {
    exitCode: 0,
    status: 'succeeded',
    failure: null,
    changes: [{ name: 'openssl', arch: 'amd64', before: '3.0.11-1', after: '3.0.13-1' }],
    reboot: { required: 'no', reason: 'no reboot-required file', packages: [] },
    durationMs: 1234,
    ...overrides,
  };
}

let root: string;
let spool: ResultSpool;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pm-agent-spool-'));
  spool = new ResultSpool(path.join(root, 'spool'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ResultSpool', () => {
  it('reads back a written result', async () => {
    const jobId = randomUUID();
    await spool.write(jobId, outcome());

    const result = await spool.read(jobId);

    expect(result?.jobId).toBe(jobId);
    expect(result?.outcome).toEqual(outcome());
  });

  it('writes files with mode 0600 in a 0700 directory', async () => {
    const jobId = randomUUID();
    await spool.write(jobId, outcome());

    expect((await stat(spool.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(spool.dir, `${jobId}.json`))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(spool.dir, 'finished.json'))).mode & 0o777).toBe(0o600);
  });

  it('leaves no temporary files behind', async () => {
    await spool.write(randomUUID(), outcome());
    await spool.write(randomUUID(), outcome());

    const names = await readdir(spool.dir);

    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(names).toHaveLength(3);
  });

  it('returns null for a job without result', async () => {
    expect(await spool.read(randomUUID())).toBeNull();
  });

  it('lists results oldest first', async () => {
    const first = randomUUID();
    const second = randomUUID();
    await spool.write(first, outcome());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await spool.write(second, outcome({ status: 'failed', exitCode: 100, failure: { cause: 'lock-held', message: 'lock held', retriable: true } }));

    const results = await spool.list();

    expect(results.map((result) => result.jobId)).toEqual([first, second]);
    expect(results[1]?.outcome.failure?.cause).toBe('lock-held');
  });

  it('deletes a result but remembers the job', async () => {
    const jobId = randomUUID();
    await spool.write(jobId, outcome());

    await spool.remove(jobId);

    expect(await spool.read(jobId)).toBeNull();
    expect(await spool.list()).toEqual([]);
    expect(await spool.hasFinished(jobId)).toBe(true);
  });

  it('reports unknown jobs as not finished', async () => {
    await spool.write(randomUUID(), outcome());

    expect(await spool.hasFinished(randomUUID())).toBe(false);
  });

  it('keeps only the newest finished ids', async () => {
    const ids = Array.from({ length: FINISHED_IDS_LIMIT + 5 }, () => randomUUID());
    for (const jobId of ids) {
      await spool.write(jobId, outcome());
      await spool.remove(jobId);
    }

    for (const jobId of ids.slice(0, 5)) {
      expect(await spool.hasFinished(jobId)).toBe(false);
    }
    for (const jobId of ids.slice(5)) {
      expect(await spool.hasFinished(jobId)).toBe(true);
    }
  });

  it('sets aside a damaged result file', async () => {
    const good = randomUUID();
    const damaged = randomUUID();
    await spool.write(good, outcome());
    await writeFile(path.join(spool.dir, `${damaged}.json`), '{"jobId":', { mode: 0o600 });
    const reported: string[] = [];

    const results = await spool.list((file) => reported.push(path.basename(file)));

    expect(results.map((result) => result.jobId)).toEqual([good]);
    expect(reported).toEqual([`${damaged}.json`]);
    expect(await readdir(spool.dir)).toContain(`${damaged}.json.invalid`);
  });

  it('rejects a job id that is not a UUID', async () => {
    await expect(spool.write('../../etc/passwd', outcome())).rejects.toThrow(/invalid job id/);
    await expect(spool.read('x')).rejects.toThrow(/expected a UUID/);
  });
});
