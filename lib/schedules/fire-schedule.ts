import { and, eq, lte } from 'drizzle-orm';
import { writeAudit, type Transaction } from '@/lib/audit/write-audit';
import type { Actor, Context } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { scheduleRuns, schedules, users } from '@/lib/db/schema';
import { AppError, ConflictError } from '@/lib/errors';
import type { Logger } from '@/lib/log';
import { createJob, createJobInput } from '@/lib/patching/create-job';
import { resolveJobScope } from '@/lib/patching/resolve-job-scope';
import { parseInput } from '@/lib/validation';
import { checkJobTemplate } from './check-job-template';
import { listDueOccurrences, type ScheduleTiming } from './schedule-times';

/** The actor recorded for jobs and audit rows that the scheduler creates. */
export const SCHEDULER_ACTOR: Actor = { kind: 'system', name: 'scheduler' };

/** Job limits passed to createJob, from the configuration. */
export interface JobLimits {
  defaultTimeoutSeconds: number;
  hostWaitSeconds: number;
}

export interface FireScheduleOptions {
  /** The tick's clock: occurrences up to it are due. */
  now: Date;
  /** How late an occurrence may still start, in seconds. */
  graceSeconds: number;
  /** Maximum number of missed occurrences recorded one by one per tick; the rest are counted. */
  maxRecordedMissed: number;
  limits: JobLimits;
  log: Logger;
}

/** The result of one tick for one schedule. */
export interface FireOutcome {
  scheduleId: string;
  name: string;
  status: 'fired' | 'failed' | 'missed';
  jobId: string | null;
  reason: string | null;
  /** Missed occurrences; `skipped` were counted but not recorded one by one, and with `countComplete` false the counts are lower bounds. */
  missed: { count: number; recorded: number; skipped: number; countComplete: boolean; first: Date; last: Date } | null;
}

/**
 * Handles the due occurrences of one schedule in one transaction. The row is
 * locked with SKIP LOCKED and re-checked for being due, so an occurrence is
 * handled once however many workers tick at the same moment. The latest
 * occurrence runs when it is at most `graceSeconds` late. Every other due
 * occurrence is recorded as missed (up to `maxRecordedMissed`, counting the
 * rest) and audited as `schedule.missed`. Then `next_run_at` advances, and a
 * one-off schedule is disabled. Returns null when the schedule was not due or
 * another worker had locked it.
 */
export async function fireSchedule(ctx: Context, scheduleId: string, options: FireScheduleOptions): Promise<FireOutcome | null> {
  const { now } = options;

  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(schedules)
      .where(and(eq(schedules.id, scheduleId), eq(schedules.enabled, true), lte(schedules.nextRunAt, now)))
      .for('update', { skipLocked: true });
    if (!row?.nextRunAt) {
      return null;
    }

    const timing: ScheduleTiming =
      row.kind === 'once'
        ? { kind: 'once', runAt: row.runAt!, timeZone: row.timeZone }
        : { kind: 'recurring', cronExpression: row.cronExpression!, timeZone: row.timeZone };
    const due = listDueOccurrences(timing, row.nextRunAt, now, options.maxRecordedMissed + 1);
    const lateMs = now.getTime() - due.latest.getTime();
    const runnable = lateMs <= options.graceSeconds * 1000 ? due.latest : null;

    let outcome: Pick<FireOutcome, 'status' | 'jobId' | 'reason'> = { status: 'missed', jobId: null, reason: null };
    if (runnable) {
      outcome = await createScheduledJob(tx, row, options);
      await tx.insert(scheduleRuns).values({ scheduleId, scheduledFor: runnable, firedAt: now, ...outcome });
    }

    const missedListed = due.listed.filter((occurrence) => occurrence.getTime() !== runnable?.getTime());
    const missedCount = due.total - (runnable ? 1 : 0);
    const recorded = missedListed.slice(0, options.maxRecordedMissed);
    const skipped = missedCount - recorded.length;
    if (recorded.length > 0) {
      await tx.insert(scheduleRuns).values(
        recorded.map((occurrence, index) => ({
          scheduleId,
          scheduledFor: occurrence,
          firedAt: now,
          status: 'missed',
          reason: missedReason(occurrence, now, options.graceSeconds, runnable, index === recorded.length - 1 ? skipped : 0, due.complete),
        })),
      );
    }

    const last = runnable ?? due.latest;
    await tx
      .update(schedules)
      .set({
        nextRunAt: row.kind === 'once' ? null : due.next,
        enabled: row.kind === 'once' ? false : due.next !== null,
        lastRunAt: last,
        lastRunStatus: runnable ? outcome.status : 'missed',
      })
      .where(eq(schedules.id, scheduleId));

    const lastMissed = runnable ? due.beforeLatest : due.latest;
    const missed =
      recorded.length > 0 && lastMissed
        ? { count: missedCount, recorded: recorded.length, skipped, countComplete: due.complete, first: recorded[0]!, last: lastMissed }
        : null;
    if (missed) {
      await writeAudit(tx, {
        actor: SCHEDULER_ACTOR,
        action: 'schedule.missed',
        target: { kind: 'schedule', id: scheduleId },
        details: { name: row.name, ...missed, graceSeconds: options.graceSeconds, checkedAt: now },
      });
    }
    return { scheduleId, name: row.name, ...outcome, status: runnable ? outcome.status : 'missed', missed };
  });
}

/**
 * Creates the job of a due occurrence inside a savepoint, so a rejected job
 * leaves the run recorded as failed with its cause. An Operator's schedule
 * starts only on hosts still visible to that Operator and only while the account
 * is enabled, so a group change applies to schedules as it does to requests.
 */
async function createScheduledJob(
  tx: Transaction,
  row: typeof schedules.$inferSelect,
  options: FireScheduleOptions,
): Promise<Pick<FireOutcome, 'status' | 'jobId' | 'reason'>> {
  let template = row.jobTemplate as Record<string, unknown>;
  try {
    return await tx.transaction(async (savepoint) => {
      const owner = row.ownerUserId ? await checkOwner(savepoint, row.ownerUserId, template) : null;
      if (owner?.kind === 'user' && owner.role === 'operator' && !Array.isArray(template.hostIds)) {
        // The scheduler sees every host, so an Operator's group or filter template is
        // resolved as the Operator and the job gets the resulting host list.
        const resolved = await resolveJobScope(savepoint, owner, parseInput(createJobInput, template, 'job template'));
        const { groupIds: _groupIds, filter: _filter, ...rest } = template;
        template = { ...rest, hostIds: resolved.hostIds };
      }
      // NOTE: createJob takes a database and only opens a transaction on it, which a
      // transaction provides as a savepoint, so the job commits with this run's record.
      const jobContext: Context = { actor: SCHEDULER_ACTOR, db: savepoint as unknown as Database };
      const job = await createJob(jobContext, template as Parameters<typeof createJob>[1], options.limits);
      return { status: 'fired' as const, jobId: job.id, reason: null };
    });
  } catch (error) {
    if (error instanceof AppError) {
      options.log.warn({ scheduleId: row.id, err: error }, 'scheduled job was not created');
      return { status: 'failed', jobId: null, reason: error.message };
    }
    options.log.error({ scheduleId: row.id, err: error }, 'scheduled job creation failed');
    return { status: 'failed', jobId: null, reason: 'job creation failed with an internal error; see the worker log' };
  }
}

/** Checks the owner and the template as the owner, and returns the owner's actor (null when the owner is gone). */
async function checkOwner(tx: Transaction, ownerUserId: string, template: Record<string, unknown>): Promise<Actor | null> {
  const [owner] = await tx
    .select({ username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, ownerUserId));
  if (!owner) {
    return null;
  }
  if (owner.disabledAt) {
    throw new ConflictError(`the schedule's owner ${owner.username} is disabled; an Admin must take over or delete the schedule`);
  }
  // The owner's current role and groups decide, as for a request the owner made now.
  const ownerActor: Actor = { kind: 'user', userId: ownerUserId, username: owner.username, role: owner.role as 'admin' | 'operator', sessionId: '', address: '' };
  await checkJobTemplate(tx, ownerActor, template);
  return ownerActor;
}

function missedReason(occurrence: Date, now: Date, graceSeconds: number, runnable: Date | null, skipped: number, countComplete: boolean): string {
  const lateSeconds = Math.round((now.getTime() - occurrence.getTime()) / 1000);
  let reason =
    lateSeconds > graceSeconds
      ? `not started: found ${lateSeconds} s after its time, more than the grace period of ${graceSeconds} s`
      : `not started: the later occurrence at ${runnable?.toISOString()} ran instead`;
  if (skipped > 0) {
    reason += `; ${countComplete ? '' : 'at least '}${skipped} later missed occurrences were not recorded one by one`;
  }
  return reason;
}
