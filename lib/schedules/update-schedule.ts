import { eq } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { writeAudit } from '@/lib/audit/write-audit';
import { schedules } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { checkJobTemplate } from './check-job-template';
import { findVisibleSchedule } from './find-visible-schedule';
import { resolveTiming } from './resolve-timing';
import { updateScheduleInput, type UpdateScheduleInput } from './schedule-input';
import { scheduleColumns, toScheduleView, type ScheduleView } from './schedule-view';

const TIMING_FIELDS = ['kind', 'runAt', 'cronExpression', 'timeZone'] as const;

/**
 * Changes a schedule the actor may see and records `schedule.update` with the
 * old and new value of each changed field, in one transaction. A new job
 * template is checked as on create. When the timing changes or the schedule is
 * enabled, the next run is computed again from `now`; disabling clears it.
 * Changing the kind clears the other kind's timing field unless it is given.
 */
export async function updateSchedule(
  ctx: Context,
  input: { scheduleId: string; changes: UpdateScheduleInput },
  options: { now?: Date } = {},
): Promise<ScheduleView> {
  const changes = parseInput(updateScheduleInput, input.changes, 'schedule change');
  const now = options.now ?? new Date();

  return ctx.db.transaction(async (tx) => {
    const current = await findVisibleSchedule(tx, ctx.actor, input.scheduleId, { lock: true });

    const kind = changes.kind ?? current.kind;
    const kindChanged = kind !== current.kind;
    // A field the change leaves out keeps its value, unless the kind changed: then the
    // other kind's timing field no longer applies and is cleared.
    let runAt = current.runAt === null ? null : new Date(current.runAt);
    let cronExpression = current.cronExpression;
    if (kindChanged) {
      runAt = null;
      cronExpression = null;
    }
    const merged = {
      kind,
      runAt: changes.runAt !== undefined ? changes.runAt : runAt,
      cronExpression: changes.cronExpression !== undefined ? changes.cronExpression : cronExpression,
      timeZone: changes.timeZone ?? current.timeZone,
    };
    const enabled = changes.enabled ?? current.enabled;
    const timingChanged = TIMING_FIELDS.some((field) => changes[field] !== undefined);

    let nextRunAt = current.nextRunAt === null ? null : new Date(current.nextRunAt);
    if (timingChanged || (enabled && !current.enabled)) {
      const resolved = resolveTiming(merged, now);
      nextRunAt = resolved.nextRunAt;
    }
    if (!enabled) {
      nextRunAt = null;
    }
    if (changes.jobTemplate !== undefined) {
      await checkJobTemplate(tx, ctx.actor, changes.jobTemplate);
    }

    const [row] = await tx
      .update(schedules)
      .set({
        name: changes.name ?? current.name,
        kind: merged.kind,
        runAt: merged.runAt,
        cronExpression: merged.cronExpression,
        timeZone: merged.timeZone,
        jobTemplate: changes.jobTemplate ?? current.jobTemplate,
        enabled,
        nextRunAt,
        updatedAt: now,
      })
      .where(eq(schedules.id, current.id))
      .returning(scheduleColumns);
    const updated = toScheduleView(row!);

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'schedule.update',
      target: { kind: 'schedule', id: updated.id },
      details: { changes: changedFields(current, updated) },
    });
    return updated;
  });
}

/** Old and new value of every field that differs, for the audit row. */
function changedFields(before: ScheduleView, after: ScheduleView): Record<string, { old: unknown; new: unknown }> {
  const fields = ['name', 'kind', 'runAt', 'cronExpression', 'timeZone', 'jobTemplate', 'enabled', 'nextRunAt'] as const;
  const changed: Record<string, { old: unknown; new: unknown }> = {};
  for (const field of fields) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      changed[field] = { old: before[field], new: after[field] };
    }
  }
  return changed;
}
