import { sql } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';

/** Finished jobs of one UTC day by final status. */
export type JobOutcomeDay = {
  /** The UTC day as YYYY-MM-DD. */
  day: string;
  succeeded: number;
  failed: number;
  cancelled: number;
};

/** Maximum span accepted, in days. */
export const MAX_OUTCOME_DAYS = 366;

/**
 * Counts the jobs the actor may see by final status per UTC day of `finished_at`, for the `days`
 * days that end with the current one, oldest first. Days without finished
 * jobs are present with zeros, so a chart gets one bar per day.
 */
export async function countJobOutcomesByDay(ctx: Context, options: { days?: number; now?: Date } = {}): Promise<JobOutcomeDay[]> {
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > MAX_OUTCOME_DAYS) {
    throw new ValidationError(`days: expected a whole number from 1 to ${MAX_OUTCOME_DAYS}`, { field: 'days' });
  }
  const now = (options.now ?? new Date()).toISOString();

  // The series runs over UTC wall-clock days (timestamp without time zone), so
  // the session time zone and its daylight saving changes cannot shift a day.
  return ctx.db.execute<JobOutcomeDay>(sql`
    with bounds as (
      select date_trunc('day', ${now}::timestamptz at time zone 'UTC') as today
    ),
    days as (
      select day
      from bounds, generate_series(bounds.today - make_interval(days => ${days - 1}), bounds.today, interval '1 day') as day
    )
    select to_char(d.day, 'YYYY-MM-DD') as day,
      count(j.id) filter (where j.status = 'succeeded')::int as succeeded,
      count(j.id) filter (where j.status = 'failed')::int as failed,
      count(j.id) filter (where j.status = 'cancelled')::int as cancelled
    from days d
    left join jobs j
      on j.finished_at >= d.day at time zone 'UTC'
      and j.finished_at < (d.day + interval '1 day') at time zone 'UTC'
      and j.finished_at <= ${now}::timestamptz
      and ${jobVisibleTo(ctx.actor, sql`j.id`)}
    group by d.day
    order by d.day`);
}
