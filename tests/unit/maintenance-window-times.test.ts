import { describe, expect, it } from 'vitest';
import { findOpenWindow, parseMinuteOfDay, type WeeklyWindow } from '@/lib/maintenance/window-times';
import { zonedTimeToInstant } from '@/lib/maintenance/zoned-time';

// Saturday 22:00 for four hours, Berlin time.
const saturdayNight: WeeklyWindow = { daysOfWeek: [6], startMinute: 22 * 60, durationMinutes: 240, timeZone: 'Europe/Berlin' };

function closesAt(window: WeeklyWindow, now: string): string | null {
  return findOpenWindow(window, new Date(now))?.closesAt.toISOString() ?? null;
}

describe('local time to instant', () => {
  it('converts a winter time', () => {
    expect(zonedTimeToInstant({ year: 2027, month: 1, day: 16 }, 22 * 60, 'Europe/Berlin').toISOString()).toBe('2027-01-16T21:00:00.000Z');
  });

  it('moves a time in the spring gap forward', () => {
    expect(zonedTimeToInstant({ year: 2027, month: 3, day: 28 }, 2 * 60 + 30, 'Europe/Berlin').toISOString()).toBe('2027-03-28T01:30:00.000Z');
  });

  it('takes the first of a repeated autumn time', () => {
    expect(zonedTimeToInstant({ year: 2027, month: 10, day: 31 }, 2 * 60 + 30, 'Europe/Berlin').toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });

  it('handles a zone with a 45-minute offset', () => {
    expect(zonedTimeToInstant({ year: 2027, month: 6, day: 1 }, 0, 'Asia/Kathmandu').toISOString()).toBe('2027-05-31T18:15:00.000Z');
  });
});

describe('weekly maintenance window', () => {
  it('is closed before it opens', () => {
    expect(closesAt(saturdayNight, '2027-01-16T20:59:00Z')).toBeNull();
  });

  it('is open at its start', () => {
    expect(closesAt(saturdayNight, '2027-01-16T21:00:00Z')).toBe('2027-01-17T01:00:00.000Z');
  });

  it('stays open across midnight into Sunday', () => {
    expect(closesAt(saturdayNight, '2027-01-17T00:30:00Z')).toBe('2027-01-17T01:00:00.000Z');
  });

  it('is closed at its end', () => {
    expect(closesAt(saturdayNight, '2027-01-17T01:00:00Z')).toBeNull();
  });

  it('is closed on other days at the same time', () => {
    expect(closesAt(saturdayNight, '2027-01-15T21:30:00Z')).toBeNull();
  });

  it('opens at local time in summer', () => {
    expect(closesAt(saturdayNight, '2027-07-17T20:00:00Z')).toBe('2027-07-18T00:00:00.000Z');
    expect(closesAt(saturdayNight, '2027-07-17T19:59:00Z')).toBeNull();
  });

  it('lasts its elapsed minutes across the spring change', () => {
    // Saturday 2027-03-27 22:00 CET is 21:00 UTC; clocks jump forward during the window.
    expect(closesAt(saturdayNight, '2027-03-28T00:59:00Z')).toBe('2027-03-28T01:00:00.000Z');
    expect(closesAt(saturdayNight, '2027-03-28T01:00:00Z')).toBeNull();
  });

  it('lasts its elapsed minutes across the autumn change', () => {
    // Saturday 2027-10-30 22:00 CEST is 20:00 UTC; clocks go back during the window.
    expect(closesAt(saturdayNight, '2027-10-30T20:00:00Z')).toBe('2027-10-31T00:00:00.000Z');
    expect(closesAt(saturdayNight, '2027-10-31T00:00:00Z')).toBeNull();
  });

  it('shifts a start inside the gap', () => {
    const sundayEarly: WeeklyWindow = { daysOfWeek: [0], startMinute: 2 * 60 + 30, durationMinutes: 60, timeZone: 'Europe/Berlin' };
    expect(closesAt(sundayEarly, '2027-03-28T01:29:00Z')).toBeNull();
    expect(closesAt(sundayEarly, '2027-03-28T01:30:00Z')).toBe('2027-03-28T02:30:00.000Z');
  });

  it('keeps a window longer than a day open', () => {
    const weekend: WeeklyWindow = { daysOfWeek: [6], startMinute: 0, durationMinutes: 48 * 60, timeZone: 'UTC' };
    expect(closesAt(weekend, '2027-01-17T23:59:00Z')).toBe('2027-01-18T00:00:00.000Z');
    expect(closesAt(weekend, '2027-01-18T00:00:00Z')).toBeNull();
  });
});

describe('start time parsing', () => {
  it('parses HH:MM', () => {
    expect(parseMinuteOfDay('22:05')).toBe(22 * 60 + 5);
    expect(parseMinuteOfDay('00:00')).toBe(0);
  });

  it('rejects malformed times', () => {
    for (const text of ['24:00', '7:00', '12:60', '12:00:00', '']) {
      expect(parseMinuteOfDay(text), text).toBeNull();
    }
  });
});
