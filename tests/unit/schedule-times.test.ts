import { describe, expect, it } from 'vitest';
import { listDueOccurrences, listRunsAfter, nextRunAfter, ScheduleTimingError, type ScheduleTiming } from '@/lib/schedules/schedule-times';

const berlinAt2: ScheduleTiming = { kind: 'recurring', cronExpression: '0 2 * * *', timeZone: 'Europe/Berlin' };

function iso(dates: Date[]): string[] {
  return dates.map((date) => date.toISOString());
}

describe('cron run times in a time zone', () => {
  it('runs at 01:00 UTC in Berlin winter', () => {
    expect(nextRunAfter(berlinAt2, new Date('2027-01-14T12:00:00Z'))?.toISOString()).toBe('2027-01-15T01:00:00.000Z');
  });

  it('runs at 00:00 UTC in Berlin summer', () => {
    expect(nextRunAfter(berlinAt2, new Date('2027-07-14T12:00:00Z'))?.toISOString()).toBe('2027-07-15T00:00:00.000Z');
  });

  it('runs a skipped time when the DST gap ends', () => {
    // On 2027-03-28 Berlin clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC).
    const runs = listRunsAfter(berlinAt2, new Date('2027-03-27T12:00:00Z'), 3);
    expect(iso(runs)).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-29T00:00:00.000Z', '2027-03-30T00:00:00.000Z']);
  });

  it('moves a time inside the gap forward by the gap', () => {
    const runs = listRunsAfter({ ...berlinAt2, cronExpression: '30 2 * * *' }, new Date('2027-03-27T12:00:00Z'), 2);
    expect(iso(runs)).toEqual(['2027-03-28T01:30:00.000Z', '2027-03-29T00:30:00.000Z']);
  });

  it('runs a repeated daily time once on the overlap day', () => {
    // On 2027-10-31 Berlin clocks go back from 03:00 CEST to 02:00 CET, so 02:30 happens twice.
    const runs = listRunsAfter({ ...berlinAt2, cronExpression: '30 2 * * *' }, new Date('2027-10-30T12:00:00Z'), 2);
    expect(iso(runs)).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
  });

  it('runs hourly in both repeated hours', () => {
    const runs = listRunsAfter({ ...berlinAt2, cronExpression: '0 * * * *' }, new Date('2027-10-30T23:30:00Z'), 3);
    expect(iso(runs)).toEqual(['2027-10-31T00:00:00.000Z', '2027-10-31T01:00:00.000Z', '2027-10-31T02:00:00.000Z']);
  });

  it('follows New York rules, not Berlin ones', () => {
    const runs = listRunsAfter({ kind: 'recurring', cronExpression: '0 2 * * *', timeZone: 'America/New_York' }, new Date('2027-03-13T12:00:00Z'), 2);
    expect(iso(runs)).toEqual(['2027-03-14T07:00:00.000Z', '2027-03-15T06:00:00.000Z']);
  });
});

describe('schedule timing validation', () => {
  function timingError(timing: ScheduleTiming): ScheduleTimingError {
    try {
      nextRunAfter(timing, new Date('2027-01-01T00:00:00Z'));
    } catch (error) {
      if (error instanceof ScheduleTimingError) return error;
      throw error;
    }
    throw new Error('expected a ScheduleTimingError');
  }

  it('rejects an unknown time zone', () => {
    const error = timingError({ ...berlinAt2, timeZone: 'Europe/Atlantis' });
    expect(error.field).toBe('timeZone');
    expect(error.message).toContain('Europe/Atlantis');
  });

  it('rejects a six-field expression', () => {
    const error = timingError({ ...berlinAt2, cronExpression: '0 0 2 * * *' });
    expect(error.field).toBe('cronExpression');
    expect(error.message).toContain('five fields');
  });

  it('rejects an out-of-range minute', () => {
    expect(timingError({ ...berlinAt2, cronExpression: '61 2 * * *' }).field).toBe('cronExpression');
  });

  it('rejects a date that never exists', () => {
    expect(timingError({ ...berlinAt2, cronExpression: '0 0 30 2 *' }).field).toBe('cronExpression');
  });

  it('returns no run for a passed one-off time', () => {
    const timing: ScheduleTiming = { kind: 'once', runAt: new Date('2026-12-31T00:00:00Z'), timeZone: 'UTC' };
    expect(nextRunAfter(timing, new Date('2027-01-01T00:00:00Z'))).toBeNull();
  });
});

describe('due occurrences after downtime', () => {
  it('lists every due occurrence and the next one', () => {
    const hourly: ScheduleTiming = { kind: 'recurring', cronExpression: '0 * * * *', timeZone: 'UTC' };
    const due = listDueOccurrences(hourly, new Date('2027-01-01T00:00:00Z'), new Date('2027-01-01T03:10:00Z'), 10);
    expect(iso(due.listed)).toEqual(['2027-01-01T00:00:00.000Z', '2027-01-01T01:00:00.000Z', '2027-01-01T02:00:00.000Z', '2027-01-01T03:00:00.000Z']);
    expect(due.total).toBe(4);
    expect(due.latest.toISOString()).toBe('2027-01-01T03:00:00.000Z');
    expect(due.beforeLatest?.toISOString()).toBe('2027-01-01T02:00:00.000Z');
    expect(due.next?.toISOString()).toBe('2027-01-01T04:00:00.000Z');
  });

  it('caps the listed occurrences but counts all', () => {
    const everyMinute: ScheduleTiming = { kind: 'recurring', cronExpression: '* * * * *', timeZone: 'UTC' };
    const due = listDueOccurrences(everyMinute, new Date('2027-01-01T00:00:00Z'), new Date('2027-01-01T09:59:30Z'), 100);
    expect(due.listed).toHaveLength(100);
    expect(due.total).toBe(600);
    expect(due.latest.toISOString()).toBe('2027-01-01T09:59:00.000Z');
    expect(due.next?.toISOString()).toBe('2027-01-01T10:00:00.000Z');
  });
});
