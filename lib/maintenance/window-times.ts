import { addDays, wallTimeAt, zonedTimeToInstant } from './zoned-time';

const MINUTE_MS = 60_000;

/** Maximum window length in minutes: one week. */
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;

/** A weekly maintenance slot as stored: days 0 (Sunday) to 6, start in minutes after local midnight, length in minutes. */
export interface WeeklyWindow {
  daysOfWeek: number[];
  startMinute: number;
  durationMinutes: number;
  timeZone: string;
}

/** One opening of a weekly window. */
export interface WindowOpening {
  opensAt: Date;
  closesAt: Date;
}

/**
 * Returns the opening of a weekly window that contains `now`, or null when the
 * window is closed. An opening starts at the local start time on one of its
 * days, as `zonedTimeToInstant` places it across DST changes, and lasts the
 * stated minutes of elapsed time, so a 4-hour window is 4 real hours long even
 * on the night the clocks change. When openings overlap, the one closing last wins.
 */
export function findOpenWindow(window: WeeklyWindow, now: Date): WindowOpening | null {
  const today = wallTimeAt(now, window.timeZone);
  // An opening that started this many local days ago can still be open.
  const lookBackDays = Math.ceil(window.durationMinutes / (24 * 60)) + 1;

  let open: WindowOpening | null = null;
  for (let back = lookBackDays; back >= 0; back -= 1) {
    const date = addDays(today, -back);
    const dayOfWeek = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    if (!window.daysOfWeek.includes(dayOfWeek)) {
      continue;
    }

    const opensAt = zonedTimeToInstant(date, window.startMinute, window.timeZone);
    const closesAt = new Date(opensAt.getTime() + window.durationMinutes * MINUTE_MS);
    if (opensAt <= now && now < closesAt && (open === null || closesAt > open.closesAt)) {
      open = { opensAt, closesAt };
    }
  }
  return open;
}

/** Formats minutes after midnight as `HH:MM`. */
export function formatMinuteOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Parses `HH:MM` (24-hour clock) into minutes after midnight, or returns null when it is not a valid time. */
export function parseMinuteOfDay(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) {
    return null;
  }
  return Number(match[1]) * 60 + Number(match[2]);
}
