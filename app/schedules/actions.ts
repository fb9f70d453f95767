'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { zonedTimeToInstant } from '@/lib/maintenance/zoned-time';
import { createSchedule } from '@/lib/schedules/create-schedule';
import { deleteSchedule } from '@/lib/schedules/delete-schedule';
import { setScheduleEnabled } from '@/lib/schedules/set-schedule-enabled';
import { updateSchedule } from '@/lib/schedules/update-schedule';

/** Form fields that can carry an error; `form` is for errors about no single field. */
export type ScheduleFormField = 'name' | 'kind' | 'runAt' | 'cronExpression' | 'timeZone' | 'jobTemplate' | 'enabled' | 'form';

export interface ScheduleFormState {
  errors: Partial<Record<ScheduleFormField, string>>;
}

const FIELDS = new Set<string>(['name', 'kind', 'runAt', 'cronExpression', 'timeZone', 'jobTemplate', 'enabled']);

/** Maps a lib/ error to the form field it names; the message keeps nested paths such as `jobTemplate.hostIds`. */
function formErrors(error: unknown): ScheduleFormState {
  if (!(error instanceof AppError)) {
    throw error;
  }
  const field = error.field?.split('.')[0] ?? '';
  const key = (FIELDS.has(field) ? field : 'form') as ScheduleFormField;
  const message = key === 'form' || error.field?.includes('.') ? error.message : error.message.replace(/^[\w.]+: /, '');
  return { errors: { [key]: message } };
}

/** Reads a `datetime-local` value (`YYYY-MM-DDTHH:MM`) as a wall-clock time in the zone, or null when it is malformed. */
function localRunAt(value: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) {
    return null;
  }
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  return zonedTimeToInstant({ year, month, day }, hour * 60 + minute, timeZone).toISOString();
}

/**
 * Creates a schedule, or updates the one named by `scheduleId`, from the schedule
 * form and opens its page. Returns field errors when the form or lib/ rejects the
 * input. The one-off time is entered as a local time in the chosen zone.
 */
export async function saveScheduleAction(_previous: ScheduleFormState, formData: FormData): Promise<ScheduleFormState> {
  const text = (name: string) => String(formData.get(name) ?? '');
  const kind = text('kind') === 'once' ? 'once' : 'recurring';
  const timeZone = text('timeZone').trim() || 'UTC';

  let jobTemplate: Record<string, unknown>;
  try {
    jobTemplate = JSON.parse(text('jobTemplate')) as Record<string, unknown>;
  } catch {
    return { errors: { jobTemplate: 'Enter the job request as a JSON object, such as {"hostIds": ["…"], "action": "security"}.' } };
  }

  let runAt: string | undefined;
  if (kind === 'once') {
    let local: string | null = null;
    try {
      local = localRunAt(text('runAt'), timeZone);
    } catch {
      return { errors: { timeZone: 'Choose a time zone from the list.' } };
    }
    if (local === null) {
      return { errors: { runAt: 'Enter the date and time to run.' } };
    }
    runAt = local;
  }
  const fields = {
    name: text('name'),
    kind,
    timeZone,
    jobTemplate,
    enabled: formData.get('enabled') === 'on',
    ...(kind === 'once' ? { runAt } : { cronExpression: text('cronExpression') }),
  } as const;

  const scheduleId = text('scheduleId');
  let savedId: string;
  try {
    const ctx = await consoleContext();
    if (scheduleId) {
      const changes = kind === 'once' ? { ...fields, cronExpression: null } : { ...fields, runAt: null };
      savedId = (await updateSchedule(ctx, { scheduleId, changes })).id;
    } else {
      savedId = (await createSchedule(ctx, fields)).id;
    }
  } catch (error) {
    return formErrors(error);
  }

  revalidatePath('/schedules');
  redirect(`/schedules/${savedId}`);
}

/** Result of a button on the schedule page: an error message, or null. */
export interface ScheduleControlState {
  error: string | null;
}

/** Enables or disables a schedule from its page. */
export async function setScheduleEnabledAction(_previous: ScheduleControlState, formData: FormData): Promise<ScheduleControlState> {
  const scheduleId = String(formData.get('scheduleId') ?? '');
  try {
    await setScheduleEnabled(await consoleContext(), { scheduleId, enabled: formData.get('enabled') === 'true' });
  } catch (error) {
    if (error instanceof AppError) {
      return { error: error.message };
    }
    throw error;
  }
  revalidatePath(`/schedules/${scheduleId}`);
  return { error: null };
}

/** Deletes a schedule and returns to the list. */
export async function deleteScheduleAction(_previous: ScheduleControlState, formData: FormData): Promise<ScheduleControlState> {
  try {
    await deleteSchedule(await consoleContext(), { scheduleId: String(formData.get('scheduleId') ?? '') });
  } catch (error) {
    if (error instanceof AppError) {
      return { error: error.message };
    }
    throw error;
  }
  revalidatePath('/schedules');
  redirect('/schedules');
}
