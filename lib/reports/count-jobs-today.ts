import { sql } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';

/** Jobs created since midnight UTC, by their current status. */
export type JobsToday = {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
};

/**
 * Counts the jobs the actor may see created on the current UTC day by status, in one query over
 * the jobs_created_idx range. `now` is a parameter so tests can pin the clock.
 */
export async function countJobsToday(ctx: Context, options: { now?: Date } = {}): Promise<JobsToday> {
  const now = (options.now ?? new Date()).toISOString();
  const [row] = await ctx.db.execute<JobsToday>(sql`
    select count(*)::int as total,
      count(*) filter (where status = 'queued')::int as queued,
      count(*) filter (where status = 'running')::int as running,
      count(*) filter (where status = 'succeeded')::int as succeeded,
      count(*) filter (where status = 'failed')::int as failed,
      count(*) filter (where status = 'cancelled')::int as cancelled
    from jobs
    where created_at >= date_trunc('day', ${now}::timestamptz at time zone 'UTC') at time zone 'UTC'
      and created_at <= ${now}::timestamptz
      and ${jobVisibleTo(ctx.actor, sql`jobs.id`)}`);

  return row ?? { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
}
