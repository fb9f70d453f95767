/**
 * Conversions between instants and wall-clock times of an IANA time zone, with
 * Intl only, so they run in the browser as well as on the server.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A calendar date and wall-clock time in some time zone; `dayOfWeek` is 0 for Sunday. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  dayOfWeek: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Returns true when Intl accepts the IANA time zone name, such as `Europe/Berlin` or `UTC`. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) {
    return false;
  }
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Returns the wall-clock time of an instant in a time zone, to the minute. */
export function wallTimeAt(instant: Date | number, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value ?? NaN);
  const year = value('year');
  const month = value('month');
  const day = value('day');
  return {
    year,
    month,
    day,
    hour: value('hour'),
    minute: value('minute'),
    dayOfWeek: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich), to the minute. */
function offsetAt(instant: number, timeZone: string): number {
  const wall = wallTimeAt(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return asUtc - Math.floor(instant / MINUTE_MS) * MINUTE_MS;
}

/**
 * Returns the instant at which a zone's clocks show the given date and time.
 * A time that occurs twice (clocks set back) maps to its first occurrence, and a
 * time skipped by a DST gap maps to the instant the gap ends plus the same
 * distance, so 02:30 on a day whose clocks jump from 02:00 to 03:00 becomes 03:30.
 * Assumes at most one offset change within a day of the time, as every zone has.
 */
export function zonedTimeToInstant(
  date: { year: number; month: number; day: number },
  minuteOfDay: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE_MS;
  const offsetBefore = offsetAt(wall - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wall + DAY_MS, timeZone);

  const candidates = [...new Set([wall - offsetBefore, wall - offsetAfter])]
    .filter((instant) => instant + offsetAt(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) {
    return new Date(first);
  }
  // No instant shows this time: it lies in a gap, so the offset before the gap applies.
  return new Date(wall - offsetBefore);
}

/** Adds whole days to a calendar date. */
export function addDays(date: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}
