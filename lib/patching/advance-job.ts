import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Transaction } from '@/lib/audit/write-audit';
import { hosts, jobHosts, jobs } from '@/lib/db/schema';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { finalizeJobs } from './finalize-jobs';
import { canaryCount, failureLimit } from './job-waves';
import { selectHostsAllowedToStart } from './start-gate';

/** Host states that still count against the job: released or in progress. */
export const ACTIVE_HOST_STATES = ['pending', 'sent', 'running', 'rebooting'] as const;
/** Host states that are not final yet. */
export const OPEN_HOST_STATES = ['held', ...ACTIVE_HOST_STATES] as const;
const FAILED_HOST_STATES = new Set(['failed', 'timed-out']);

export interface AdvanceResult {
  /** Hosts moved from held to pending by this call. */
  released: number;
  /** Hosts marked skipped because the failure limit was reached. */
  skipped: number;
  /** True when this call closed the job. */
  finished: boolean;
}

const NOTHING: AdvanceResult = { released: 0, skipped: 0, finished: false };

/**
 * Moves a job forward, and is the only code that releases held hosts. Call it in the
 * transaction that changed the job's hosts. It locks the job row first, so concurrent
 * callers take turns and never release more hosts than allowed.
 *
 * In order: when the failed and timed-out hosts reach the failure limit, the job gets
 * the stop reason `threshold-exceeded` and its held and pending hosts become `skipped`.
 * Otherwise held hosts of the current wave are released to `pending` while fewer than
 * `maxParallel` hosts are active. Wave 2 starts only after every wave 1 host is final
 * and the limit held. The start gate has the last word on each host. A job past its
 * deadline releases nothing. When no host is open any more the job is finalized.
 * Returns what changed; a finished or unknown job is left alone.
 */
export async function advanceJob(tx: Transaction, jobId: string, now: Date = new Date()): Promise<AdvanceResult> {
  const [job] = await tx
    .select({
      id: jobs.id,
      status: jobs.status,
      stopReason: jobs.stopReason,
      maxParallel: jobs.maxParallel,
      failureLimitCount: jobs.failureLimitCount,
      failureLimitPercent: jobs.failureLimitPercent,
      createdAt: jobs.createdAt,
      deadlineAt: jobs.deadlineAt,
    })
    .from(jobs)
    .where(eq(jobs.id, jobId))
    .for('update');
  if (!job || !['queued', 'running'].includes(job.status)) {
    return NOTHING;
  }

  // Each figure is read from the (job_id, status, wave) index, and only when the job's settings
  // need it. A job of 10,000 hosts runs this for every result, and a count over all its hosts
  // on each call made the results queue behind the job's lock.
  const failed = await countHosts(tx, jobId, [...FAILED_HOST_STATES]);
  const total = job.failureLimitCount === null && job.failureLimitPercent !== null ? await countHosts(tx, jobId, null) : 0;
  const limit = failureLimit(total, job);

  let skipped = 0;
  let released = 0;
  if (job.stopReason === null && limit !== null && failed >= limit) {
    skipped = await stopForThreshold(tx, jobId, failed, limit);
  } else if (job.stopReason === null && job.deadlineAt > now) {
    const active = job.maxParallel === null ? 0 : await countHosts(tx, jobId, [...ACTIVE_HOST_STATES]);
    // Wave 2 waits until wave 1 has nothing open. The limit check above already held.
    let wave: number | null = 2;
    if (await anyHost(tx, jobId, ['held'], 1)) {
      wave = 1;
    } else if (await anyHost(tx, jobId, [...OPEN_HOST_STATES], 1)) {
      wave = null;
    }
    const capacity = job.maxParallel === null ? Number.POSITIVE_INFINITY : job.maxParallel - active;
    if (wave !== null && capacity > 0) {
      released = await releaseHosts(tx, job, wave, capacity, now);
    }
  }

  let finished = false;
  if (!(await anyHost(tx, jobId, [...OPEN_HOST_STATES]))) {
    finished = (await finalizeJobs(tx, [jobId])).length > 0;
  }
  return { released, skipped, finished };
}

/** Counts the job's hosts in `states`, or all of them for null. */
async function countHosts(tx: Transaction, jobId: string, states: string[] | null): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(jobHosts)
    .where(states === null ? eq(jobHosts.jobId, jobId) : and(eq(jobHosts.jobId, jobId), inArray(jobHosts.status, states)));
  return row?.n ?? 0;
}

/** True when any host of the job is in one of `states`, in `wave` when given. */
async function anyHost(tx: Transaction, jobId: string, states: string[], wave?: number): Promise<boolean> {
  const [row] = await tx
    .select({ hostId: jobHosts.hostId })
    .from(jobHosts)
    .where(and(eq(jobHosts.jobId, jobId), inArray(jobHosts.status, states), wave === undefined ? undefined : eq(jobHosts.wave, wave)))
    .limit(1);
  return row !== undefined;
}

async function stopForThreshold(tx: Transaction, jobId: string, failed: number, limit: number): Promise<number> {
  await tx.update(jobs).set({ stopReason: 'threshold-exceeded' }).where(eq(jobs.id, jobId));
  const skipped = await tx
    .update(jobHosts)
    .set({
      status: 'skipped',
      failureCause: 'threshold-exceeded',
      failureMessage: `not started because ${failed} hosts failed and the job stops after ${limit}`,
      finishedAt: new Date(),
    })
    .where(and(eq(jobHosts.jobId, jobId), inArray(jobHosts.status, ['held', 'pending'])))
    .returning({ hostId: jobHosts.hostId });
  await notifyJobEvent(tx, { kind: 'job', jobId });
  return skipped.length;
}

async function releaseHosts(
  tx: Transaction,
  job: { id: string; createdAt: Date; deadlineAt: Date },
  wave: number,
  capacity: number,
  now: Date,
): Promise<number> {
  const candidates = await tx
    .select({ hostId: jobHosts.hostId, wave: jobHosts.wave })
    .from(jobHosts)
    .innerJoin(hosts, eq(hosts.id, jobHosts.hostId))
    .where(and(eq(jobHosts.jobId, job.id), eq(jobHosts.wave, wave), eq(jobHosts.status, 'held')))
    .orderBy(asc(hosts.hostname), asc(hosts.id));
  if (candidates.length === 0) return 0;

  const allowed = await selectHostsAllowedToStart({ db: tx, job, candidates, now });
  const chosen = Number.isFinite(capacity) ? allowed.slice(0, capacity) : allowed;
  if (chosen.length === 0) return 0;

  const updated = await tx
    .update(jobHosts)
    .set({ status: 'pending' })
    .where(and(eq(jobHosts.jobId, job.id), eq(jobHosts.status, 'held'), inArray(jobHosts.hostId, chosen)))
    .returning({ hostId: jobHosts.hostId });
  // Every server process pushes the released rows down the channels of connected agents,
  // and open job pages reload the host states.
  await notifyJobEvent(tx, { kind: 'dispatch', jobId: job.id });
  await notifyJobEvent(tx, { kind: 'job', jobId: job.id });
  return updated.length;
}

/** Wave of each host, in the given order: the first `canaryCount` hosts form wave 1. */
export function assignWaves(hostIds: string[], options: { canarySize?: number | null; canaryPercent?: number | null }): { hostId: string; wave: number }[] {
  const canary = canaryCount(hostIds.length, options);
  return hostIds.map((hostId, index) => ({ hostId, wave: canary === 0 || index < canary ? 1 : 2 }));
}
