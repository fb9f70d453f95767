import { readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

import { patchOutcomeSchema, type PatchOutcomeMessage } from '../lib/agent-protocol/schema';
import { ensurePrivateDirectory, writeFileAtomic } from './write-file-atomic';

/** Mode of spooled results and the finished-job list. */
export const SPOOL_FILE_MODE = 0o600;

/** Number of finished job ids remembered, newest kept. */
export const FINISHED_IDS_LIMIT = 200;

const FINISHED_FILE = 'finished.json';
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const spooledResultSchema = z.object({ jobId: z.string().regex(JOB_ID), finishedAt: z.iso.datetime(), outcome: patchOutcomeSchema });
const finishedIdsSchema = z.array(z.string().regex(JOB_ID));

/** A job result kept on disk until the server acknowledges it. */
export type SpooledResult = z.infer<typeof spooledResultSchema>;

/**
 * Job results on disk, one `<jobId>.json` per result, so a result survives a lost
 * connection, an agent restart and a power loss until the server acknowledges it.
 * A result is written (temporary file, fsync, rename) before it is sent.
 *
 * The spool also keeps the ids of the last 200 finished jobs in `finished.json`,
 * so a job that the server sends again after acknowledging its result is not run
 * a second time.
 */
export class ResultSpool {
  constructor(readonly dir: string) {}

  /** Writes a finished job's result and records the job id as finished. */
  async write(jobId: string, outcome: PatchOutcomeMessage): Promise<void> {
    checkJobId(jobId);
    await ensurePrivateDirectory(this.dir);

    const result: SpooledResult = { jobId, finishedAt: new Date().toISOString(), outcome };
    await writeFileAtomic(this.resultPath(jobId), `${JSON.stringify(result)}\n`, SPOOL_FILE_MODE);
    await this.recordFinished(jobId);
  }

  /** Returns the spooled result of `jobId`, or null when there is none. */
  async read(jobId: string): Promise<SpooledResult | null> {
    checkJobId(jobId);

    let text: string;
    try {
      text = await readFile(this.resultPath(jobId), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }

    return parseResult(text, this.resultPath(jobId));
  }

  /**
   * Returns every spooled result, oldest first. A file that cannot be parsed is
   * renamed to `<name>.invalid` and reported through `onInvalid`, so one damaged
   * file does not block the delivery of the others.
   */
  async list(onInvalid: (file: string, error: Error) => void = () => undefined): Promise<SpooledResult[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }

    const results: SpooledResult[] = [];
    for (const name of names) {
      const jobId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!JOB_ID.test(jobId)) continue;

      const file = path.join(this.dir, name);
      try {
        results.push(parseResult(await readFile(file, 'utf8'), file));
      } catch (error) {
        onInvalid(file, error as Error);
        await rename(file, `${file}.invalid`).catch(() => undefined);
      }
    }

    return results.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  }

  /** Deletes the spooled result of `jobId`; the job stays in the finished list. */
  async remove(jobId: string): Promise<void> {
    checkJobId(jobId);
    await rm(this.resultPath(jobId), { force: true });
  }

  /** Tells whether `jobId` is among the last 200 finished jobs. */
  async hasFinished(jobId: string): Promise<boolean> {
    return (await this.readFinished()).includes(jobId.toLowerCase());
  }

  private async recordFinished(jobId: string): Promise<void> {
    const id = jobId.toLowerCase();
    const ids = (await this.readFinished()).filter((existing) => existing !== id);
    ids.push(id);

    const kept = ids.slice(-FINISHED_IDS_LIMIT);
    await writeFileAtomic(path.join(this.dir, FINISHED_FILE), `${JSON.stringify(kept)}\n`, SPOOL_FILE_MODE);
  }

  private async readFinished(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir, FINISHED_FILE), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }

    // A damaged list loses only the protection against running an acknowledged job again.
    try {
      return finishedIdsSchema.parse(JSON.parse(text)).map((id) => id.toLowerCase());
    } catch {
      return [];
    }
  }

  private resultPath(jobId: string): string {
    return path.join(this.dir, `${jobId.toLowerCase()}.json`);
  }
}

function parseResult(text: string, file: string): SpooledResult {
  const parsed = spooledResultSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`${file} is not a valid spooled result: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`);
  }

  return parsed.data;
}

/** Job ids become file names, so only UUIDs are accepted. */
function checkJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) {
    throw new Error(`invalid job id ${JSON.stringify(jobId)}: expected a UUID`);
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
