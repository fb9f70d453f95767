import type { Context } from '@/lib/context';
import type { ScheduleView } from './schedule-view';
import { updateSchedule } from './update-schedule';

/**
 * Enables or disables a schedule. Enabling computes the next run from `now`
 * and fails with a ValidationError for a one-off schedule whose time has
 * passed; disabling clears the next run. Audited as `schedule.update`.
 */
export async function setScheduleEnabled(
  ctx: Context,
  input: { scheduleId: string; enabled: boolean },
  options: { now?: Date } = {},
): Promise<ScheduleView> {
  return updateSchedule(ctx, { scheduleId: input.scheduleId, changes: { enabled: input.enabled } }, options);
}
