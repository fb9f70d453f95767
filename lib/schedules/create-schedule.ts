import { actorLabel, type Context } from '@/lib/context';
import { writeAudit } from '@/lib/audit/write-audit';
import { schedules } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { checkJobTemplate } from './check-job-template';
import { resolveTiming } from './resolve-timing';
import { createScheduleInput, type CreateScheduleInput } from './schedule-input';
import { scheduleColumns, toScheduleView, type ScheduleView } from './schedule-view';

/**
 * Creates a one-off or recurring schedule for a patch job. The job template is
 * checked as createJob will check it when the schedule fires, and each host it
 * names must be visible to the actor. The schedule row and its
 * `schedule.create` audit row commit together. `now` decides the first run and
 * defaults to the current time.
 */
export async function createSchedule(ctx: Context, input: CreateScheduleInput, options: { now?: Date } = {}): Promise<ScheduleView> {
  const request = parseInput(createScheduleInput, input, 'schedule');
  const now = options.now ?? new Date();
  const { nextRunAt } = resolveTiming(
    { kind: request.kind, runAt: request.runAt ?? null, cronExpression: request.cronExpression ?? null, timeZone: request.timeZone },
    now,
  );

  return ctx.db.transaction(async (tx) => {
    await checkJobTemplate(tx, ctx.actor, request.jobTemplate);

    const [row] = await tx
      .insert(schedules)
      .values({
        name: request.name,
        kind: request.kind,
        runAt: request.runAt ?? null,
        cronExpression: request.cronExpression ?? null,
        timeZone: request.timeZone,
        jobTemplate: request.jobTemplate,
        enabled: request.enabled,
        nextRunAt: request.enabled ? nextRunAt : null,
        ownerUserId: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
        createdBy: actorLabel(ctx.actor),
      })
      .returning(scheduleColumns);
    const schedule = toScheduleView(row!);

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'schedule.create',
      target: { kind: 'schedule', id: schedule.id },
      details: {
        name: schedule.name,
        kind: schedule.kind,
        runAt: schedule.runAt,
        cronExpression: schedule.cronExpression,
        timeZone: schedule.timeZone,
        enabled: schedule.enabled,
        jobTemplate: schedule.jobTemplate,
      },
    });
    return schedule;
  });
}
