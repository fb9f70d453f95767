import { desc, eq } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { scheduleRuns } from '@/lib/db/schema';
import { findVisibleSchedule } from './find-visible-schedule';
import type { ScheduleView } from './schedule-view';

/** One recorded occurrence of a schedule. */
export interface ScheduleRunView {
  scheduledFor: string;
  firedAt: string;
  status: 'fired' | 'missed' | 'failed';
  jobId: string | null;
  reason: string | null;
}

/** Number of most recent runs returned with a schedule. */
export const RECENT_RUNS = 50;

/**
 * Returns a schedule the actor may see with its most recent runs, newest
 * first. Raises NotFoundError for a schedule outside the actor's scope.
 */
export async function getSchedule(ctx: Context, input: { scheduleId: string }): Promise<ScheduleView & { runs: ScheduleRunView[] }> {
  const schedule = await findVisibleSchedule(ctx.db, ctx.actor, input.scheduleId);
  const runs = await ctx.db
    .select({
      scheduledFor: scheduleRuns.scheduledFor,
      firedAt: scheduleRuns.firedAt,
      status: scheduleRuns.status,
      jobId: scheduleRuns.jobId,
      reason: scheduleRuns.reason,
    })
    .from(scheduleRuns)
    .where(eq(scheduleRuns.scheduleId, schedule.id))
    .orderBy(desc(scheduleRuns.scheduledFor))
    .limit(RECENT_RUNS);

  return {
    ...schedule,
    runs: runs.map((run) => ({
      scheduledFor: run.scheduledFor.toISOString(),
      firedAt: run.firedAt.toISOString(),
      status: run.status as ScheduleRunView['status'],
      jobId: run.jobId,
      reason: run.reason,
    })),
  };
}
