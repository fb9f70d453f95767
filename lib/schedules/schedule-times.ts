import cronParser from 'cron-parser';
import { isValidTimeZone } from '@/lib/maintenance/zoned-time';

/**
 * When a schedule runs: once at an instant, or at every match of a five-field
 * cron expression (minute hour day-of-month month day-of-week) read in an IANA
 * time zone. Pure, so the console form previews run times with the same code.
 */
export type ScheduleTiming =
  | { kind: 'once'; runAt: Date; timeZone: string }
  | { kind: 'recurring'; cronExpression: string; timeZone: string };

/** An invalid cron expression or time zone; `field` is the input field at fault. */
export class ScheduleTimingError extends Error {
  constructor(
    readonly field: 'cronExpression' | 'timeZone',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Maximum number of occurrences one call iterates: a week of an every-minute
 * expression. cron-parser 4.9 took about 0.6 ms per occurrence in the unit tests
 * (an estimate from one shared 2-core machine), so a catch-up stays within seconds.
 */
export const MAX_ITERATED_OCCURRENCES = 10_080;

/**
 * Checks a cron expression and time zone and returns an iterator of
 * occurrences strictly after `after`. Only five fields are accepted: the
 * worker checks schedules every 30 seconds, so a seconds field would promise
 * more than it keeps. Across DST, cron-parser 4.9 moves a time the clocks skip
 * forward by the gap (02:30 becomes 03:30). It runs a daily time the clocks
 * repeat once, at its first occurrence. Hourly and finer expressions follow
 * elapsed time, so they run in both repeated hours.
 */
function occurrences(cronExpression: string, timeZone: string, after: Date) {
  if (!isValidTimeZone(timeZone)) {
    throw new ScheduleTimingError('timeZone', `timeZone: unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin or UTC`);
  }
  const fields = cronExpression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new ScheduleTimingError(
      'cronExpression',
      `cronExpression: expected five fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    );
  }

  try {
    return cronParser.parseExpression(fields.join(' '), { currentDate: after, tz: timeZone });
  } catch (error) {
    throw new ScheduleTimingError('cronExpression', `cronExpression: invalid cron expression: ${(error as Error).message}`);
  }
}

/** Returns the first occurrence of a cron expression after an instant, or null when it never matches again. */
function nextCronOccurrence(iterator: ReturnType<typeof occurrences>): Date | null {
  try {
    return iterator.next().toDate();
  } catch (error) {
    // cron-parser throws once it finds no later match, such as for 30 February.
    if (/out of the timespan range|loop limit exceeded/i.test((error as Error).message)) {
      return null;
    }
    throw new ScheduleTimingError('cronExpression', `cronExpression: ${(error as Error).message}`);
  }
}

/**
 * Returns the next run time strictly after `after`, or null when there is none:
 * a one-off schedule whose time has passed, or a cron expression that never
 * matches again. Raises ScheduleTimingError for an invalid expression or zone.
 */
export function nextRunAfter(timing: ScheduleTiming, after: Date): Date | null {
  if (timing.kind === 'once') {
    if (!isValidTimeZone(timing.timeZone)) {
      throw new ScheduleTimingError('timeZone', `timeZone: unknown time zone "${timing.timeZone}"; use an IANA name such as Europe/Berlin or UTC`);
    }
    return timing.runAt > after ? timing.runAt : null;
  }
  return nextCronOccurrence(occurrences(timing.cronExpression, timing.timeZone, after));
}

/** Returns up to `count` run times after `after`, in order, for previews. */
export function listRunsAfter(timing: ScheduleTiming, after: Date, count: number): Date[] {
  if (timing.kind === 'once') {
    const next = nextRunAfter(timing, after);
    return next && count > 0 ? [next] : [];
  }

  const iterator = occurrences(timing.cronExpression, timing.timeZone, after);
  const runs: Date[] = [];
  while (runs.length < count) {
    const next = nextCronOccurrence(iterator);
    if (next === null) {
      break;
    }
    runs.push(next);
  }
  return runs;
}

/** Occurrences of a schedule from one instant up to another, as the worker needs them after a pause. */
export interface DueOccurrences {
  /** The oldest due occurrences, at most `limit` of them. */
  listed: Date[];
  /** How many occurrences are due, counted up to MAX_ITERATED_OCCURRENCES. */
  total: number;
  /** False when counting stopped at MAX_ITERATED_OCCURRENCES, so `total` is a lower bound. */
  complete: boolean;
  /** The most recent due occurrence. */
  latest: Date;
  /** The due occurrence before `latest`, or null when only one is due. */
  beforeLatest: Date | null;
  /** The first occurrence after `until`, or null when there is none. */
  next: Date | null;
}

/**
 * Lists the occurrences in [`from`, `until`], oldest first, keeping at most
 * `limit` but counting all, and finds the latest one and the next one after
 * `until`. `from` is itself an occurrence (the stored next run), so it is
 * included; it must not be after `until`.
 */
export function listDueOccurrences(timing: ScheduleTiming, from: Date, until: Date, limit: number): DueOccurrences {
  if (timing.kind === 'once') {
    return { listed: [from], total: 1, complete: true, latest: from, beforeLatest: null, next: null };
  }

  const listed: Date[] = [from];
  let latest = from;
  let beforeLatest: Date | null = null;
  const iterator = occurrences(timing.cronExpression, timing.timeZone, from);
  for (let total = 1; total < MAX_ITERATED_OCCURRENCES; total += 1) {
    const next = nextCronOccurrence(iterator);
    if (next === null || next > until) {
      return { listed, total, complete: true, latest, beforeLatest, next };
    }
    beforeLatest = latest;
    latest = next;
    if (listed.length < limit) {
      listed.push(next);
    }
  }
  // NOTE: past this many occurrences the count stops, so the latest occurrence is looked
  // up backwards from `until`. An occurrence exactly at `until` is not found that way.
  const backwards = cronParser.parseExpression(timing.cronExpression.trim(), { currentDate: until, tz: timing.timeZone });
  const previous = backwards.prev().toDate();
  return { listed, total: MAX_ITERATED_OCCURRENCES, complete: false, latest: previous, beforeLatest: backwards.prev().toDate(), next: nextRunAfter(timing, until) };
}
