import { eq } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { writeAudit } from '@/lib/audit/write-audit';
import { schedules } from '@/lib/db/schema';
import { findVisibleSchedule } from './find-visible-schedule';

/**
 * Deletes a schedule the actor may see, with its run history, and records
 * `schedule.delete` with the deleted definition. Jobs it already created stay.
 */
export async function deleteSchedule(ctx: Context, input: { scheduleId: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const schedule = await findVisibleSchedule(tx, ctx.actor, input.scheduleId, { lock: true });
    await tx.delete(schedules).where(eq(schedules.id, schedule.id));

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'schedule.delete',
      target: { kind: 'schedule', id: schedule.id },
      details: {
        name: schedule.name,
        kind: schedule.kind,
        runAt: schedule.runAt,
        cronExpression: schedule.cronExpression,
        timeZone: schedule.timeZone,
        jobTemplate: schedule.jobTemplate,
      },
    });
  });
}
