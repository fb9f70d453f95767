import { ValidationError } from '@/lib/errors';
import { nextRunAfter, ScheduleTimingError, type ScheduleTiming } from './schedule-times';

/** The timing fields of a schedule after merging an update into the stored row. */
export interface TimingFields {
  kind: 'once' | 'recurring';
  runAt: Date | null;
  cronExpression: string | null;
  timeZone: string;
}

/**
 * Checks that the timing fields fit the kind and returns the timing with its
 * next run after `now`. Raises ValidationError naming the field: a one-off
 * schedule needs a future `runAt` and no cron expression, a recurring one a
 * valid cron expression that still matches and no `runAt`.
 */
export function resolveTiming(fields: TimingFields, now: Date): { timing: ScheduleTiming; nextRunAt: Date } {
  let timing: ScheduleTiming;
  if (fields.kind === 'once') {
    if (fields.cronExpression !== null) {
      throw new ValidationError('cronExpression: a one-off schedule takes runAt, not a cron expression', { field: 'cronExpression' });
    }
    if (fields.runAt === null) {
      throw new ValidationError('runAt: a one-off schedule needs the time to run', { field: 'runAt' });
    }
    timing = { kind: 'once', runAt: fields.runAt, timeZone: fields.timeZone };
  } else {
    if (fields.runAt !== null) {
      throw new ValidationError('runAt: a recurring schedule takes a cron expression, not runAt', { field: 'runAt' });
    }
    if (fields.cronExpression === null) {
      throw new ValidationError('cronExpression: a recurring schedule needs a cron expression', { field: 'cronExpression' });
    }
    timing = { kind: 'recurring', cronExpression: fields.cronExpression, timeZone: fields.timeZone };
  }

  let nextRunAt: Date | null;
  try {
    nextRunAt = nextRunAfter(timing, now);
  } catch (error) {
    if (error instanceof ScheduleTimingError) {
      throw new ValidationError(error.message, { field: error.field });
    }
    throw error;
  }

  if (nextRunAt === null) {
    const field = timing.kind === 'once' ? 'runAt' : 'cronExpression';
    const message =
      timing.kind === 'once'
        ? `runAt: ${fields.runAt?.toISOString()} has passed; choose a time in the future`
        : 'cronExpression: the expression never matches a future time';
    throw new ValidationError(message, { field });
  }
  return { timing, nextRunAt };
}
