import { and, asc, eq, lte } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { schedules } from '@/lib/db/schema';
import type { Logger } from '@/lib/log';
import { notifyMissedScheduleRuns } from '@/lib/notifications/notify-missed-schedule-runs';
import { fireSchedule, type FireOutcome, type JobLimits } from './fire-schedule';

/** Default grace period: an occurrence found later than this is recorded as missed and not run. */
export const DEFAULT_GRACE_SECONDS = 300;

/** Maximum number of missed occurrences of one schedule recorded one by one in a tick; the rest are counted. */
export const MAX_RECORDED_MISSED = 100;

/** Maximum number of schedules one tick handles; the rest are handled on the next tick. */
export const MAX_SCHEDULES_PER_TICK = 200;

export interface FireDueSchedulesOptions {
  /** The clock: occurrences at or before it are due. Tests pass a chosen time. */
  now: Date;
  graceSeconds?: number;
  limits: JobLimits;
  log: Logger;
  /** The console's public URL, for links in notices. */
  consoleUrl?: string | null;
}

/**
 * One scheduler tick: handles every enabled schedule whose next run is at or
 * before `now`, each in its own transaction (see fireSchedule), then emails one
 * notice about the schedules that missed runs. A schedule that fails is logged
 * and the others still run; a failed notice is logged and changes nothing.
 * Safe to run in several workers at once.
 */
export async function fireDueSchedules(ctx: Context, options: FireDueSchedulesOptions): Promise<FireOutcome[]> {
  const graceSeconds = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  const due = await ctx.db
    .select({ id: schedules.id })
    .from(schedules)
    .where(and(eq(schedules.enabled, true), lte(schedules.nextRunAt, options.now)))
    .orderBy(asc(schedules.nextRunAt))
    .limit(MAX_SCHEDULES_PER_TICK);

  const outcomes: FireOutcome[] = [];
  for (const { id } of due) {
    try {
      const outcome = await fireSchedule(ctx, id, {
        now: options.now,
        graceSeconds,
        maxRecordedMissed: MAX_RECORDED_MISSED,
        limits: options.limits,
        log: options.log,
      });
      if (outcome) {
        outcomes.push(outcome);
        logOutcome(options.log, outcome);
      }
    } catch (error) {
      options.log.error({ err: error, scheduleId: id }, 'schedule tick failed for a schedule; it stays due and is retried on the next tick');
    }
  }

  const missed = outcomes.flatMap((outcome) => (outcome.missed ? [{ scheduleId: outcome.scheduleId, name: outcome.name, ...outcome.missed }] : []));
  if (missed.length > 0) {
    await notifyMissedScheduleRuns(ctx, { missed, log: options.log, consoleUrl: options.consoleUrl }).catch((error: unknown) =>
      options.log.error({ err: error, schedules: missed.length }, 'missed schedule notice failed'),
    );
  }
  return outcomes;
}

function logOutcome(log: Logger, outcome: FireOutcome): void {
  const fields = { scheduleId: outcome.scheduleId, jobId: outcome.jobId ?? undefined };
  if (outcome.status === 'fired') {
    log.info(fields, 'schedule fired');
  } else if (outcome.status === 'failed') {
    log.warn({ ...fields, reason: outcome.reason }, 'schedule run failed');
  }
  if (outcome.missed) {
    log.warn({ ...fields, missed: outcome.missed.count, skipped: outcome.missed.skipped }, 'schedule missed runs');
  }
}
