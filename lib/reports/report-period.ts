import { ValidationError } from '@/lib/errors';

/** A span of whole UTC days, both ends included, as YYYY-MM-DD. */
export interface ReportPeriod {
  from: string;
  to: string;
}

/** Longest period a report accepts, in days. */
export const MAX_REPORT_DAYS = 366;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function parseDay(name: 'from' | 'to', value: string): number {
  const time = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  // Date.parse rolls 2024-02-30 over to March, so a valid day must format back to itself.
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`${name}: expected a date as YYYY-MM-DD, such as 2025-01-31`, { field: name });
  }
  return time;
}

function formatDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * Parses a report period from optional `from` and `to` days (YYYY-MM-DD, UTC).
 * A missing `to` is today and a missing `from` is `defaultDays` days ending
 * with `to`. Raises ValidationError for a malformed day, `from` after `to`,
 * or a period longer than MAX_REPORT_DAYS.
 */
export function parseReportPeriod(
  input: { from?: string | null; to?: string | null },
  options: { defaultDays?: number; now?: Date } = {},
): ReportPeriod {
  const today = Date.parse(`${(options.now ?? new Date()).toISOString().slice(0, 10)}T00:00:00Z`);
  const to = input.to ? parseDay('to', input.to) : today;
  const from = input.from ? parseDay('from', input.from) : to - ((options.defaultDays ?? 30) - 1) * DAY_MS;

  if (from > to) {
    throw new ValidationError('from: expected a day on or before to', { field: 'from' });
  }
  if ((to - from) / DAY_MS + 1 > MAX_REPORT_DAYS) {
    throw new ValidationError(`from: the period may span at most ${MAX_REPORT_DAYS} days`, { field: 'from' });
  }
  return { from: formatDay(from), to: formatDay(to) };
}
