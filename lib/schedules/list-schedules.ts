import { asc, sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { schedules } from '@/lib/db/schema';
import { scheduleVisibleTo } from './schedule-scope';
import { scheduleColumns, toScheduleView, type ScheduleView } from './schedule-view';

/** Days back over which missed runs are counted for the list. */
export const MISSED_RUNS_DAYS = 7;

/** Maximum number of schedules one list returns. */
export const MAX_LISTED_SCHEDULES = 500;

/** A schedule in the list, with the number of its runs missed in the last MISSED_RUNS_DAYS days. */
export type ScheduleListItem = ScheduleView & { missedRuns: number };

/**
 * Lists the schedules the actor may see, by next run (disabled ones last), then
 * by name, at most MAX_LISTED_SCHEDULES of them. `now` sets the end of the
 * missed-run count.
 */
export async function listSchedules(ctx: Context, options: { now?: Date } = {}): Promise<ScheduleListItem[]> {
  const now = options.now ?? new Date();
  const rows = await ctx.db
    .select({
      ...scheduleColumns,
      missedRuns: sql<number>`(select count(*)::int from schedule_runs sr
        where sr.schedule_id = schedules.id and sr.status = 'missed'
          and sr.scheduled_for > ${now.toISOString()}::timestamptz - make_interval(days => ${MISSED_RUNS_DAYS}))`,
    })
    .from(schedules)
    .where(scheduleVisibleTo(ctx.actor))
    .orderBy(sql`${schedules.nextRunAt} asc nulls last`, asc(schedules.name))
    .limit(MAX_LISTED_SCHEDULES);

  return rows.map(({ missedRuns, ...row }) => ({ ...toScheduleView(row), missedRuns }));
}
