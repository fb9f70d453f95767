'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { wallTimeAt, zonedTimeToInstant } from '@/lib/maintenance/zoned-time';
import { jobFormFieldOf, jobRequestFromForm, readJobFormData } from '@/lib/patching/job-form';
import type { JobFormField } from '@/lib/patching/job-form-values';
import { createSchedule } from '@/lib/schedules/create-schedule';
import { deleteSchedule } from '@/lib/schedules/delete-schedule';
import { setScheduleEnabled } from '@/lib/schedules/set-schedule-enabled';
import { updateSchedule } from '@/lib/schedules/update-schedule';

/** Form fields that can carry an error: the schedule's own fields and the job fields; `form` is for errors about no single field. */
export type ScheduleFormField = 'name' | 'kind' | 'runAt' | 'cronExpression' | 'timeZone' | 'jobTemplate' | 'enabled' | JobFormField;

export interface ScheduleFormState {
  errors: Partial<Record<ScheduleFormField, string>>;
}

const FIELDS = new Set<string>(['name', 'kind', 'runAt', 'cronExpression', 'timeZone', 'jobTemplate', 'enabled']);

/**
 * Maps a lib/ error to the form field it names. An error under `jobTemplate.`
 * goes to the job field it names, or to the JSON text when the operator sent
 * JSON; there the message keeps the nested path such as `jobTemplate.hostIds`.
 */
function formErrors(error: unknown, fromJson: boolean): ScheduleFormState {
  if (!(error instanceof AppError)) {
    throw error;
  }

  const path = error.field ?? '';
  let key: ScheduleFormField = 'form';
  if (path.startsWith('jobTemplate.') && !fromJson) {
    key = jobFormFieldOf(path.slice('jobTemplate.'.length)) ?? 'form';
  } else if (path === 'jobTemplate' && !fromJson) {
    key = 'form';
  } else if (FIELDS.has(path.split('.')[0] ?? '')) {
    key = path.split('.')[0] as ScheduleFormField;
  }
  const keepPath = key === 'form' || (key === 'jobTemplate' && path.includes('.'));
  return { errors: { [key]: keepPath ? error.message : error.message.replace(/^[\w.]+: /, '') } };
}

/**
 * Reads a `datetime-local` value (`YYYY-MM-DDTHH:MM`) as a wall-clock time in the
 * zone. Returns null when it is malformed, and `skipped` when the clocks jump over
 * that time for daylight saving time, so no instant shows it.
 */
function localRunAt(value: string, timeZone: string): string | null | { skipped: true } {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) {
    return null;
  }
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  const instant = zonedTimeToInstant({ year, month, day }, hour * 60 + minute, timeZone);
  const wallTime = wallTimeAt(instant, timeZone);
  if (wallTime.day !== day || wallTime.hour !== hour || wallTime.minute !== minute) {
    return { skipped: true };
  }
  return instant.toISOString();
}

/**
 * Reads the job template from the job fields, or from the JSON text when the
 * operator ticked "use this JSON" in the advanced section.
 */
function readJobTemplate(formData: FormData): { jobTemplate: Record<string, unknown> } | ScheduleFormState {
  if (formData.get('jobTemplateMode') !== 'json') {
    const converted = jobRequestFromForm(readJobFormData(formData));
    return 'errors' in converted ? { errors: converted.errors } : { jobTemplate: converted.request };
  }

  try {
    return { jobTemplate: JSON.parse(String(formData.get('jobTemplate') ?? '')) as Record<string, unknown> };
  } catch {
    return { errors: { jobTemplate: 'Enter the job request as a JSON object, such as {"groupIds": ["…"], "action": "security"}.' } };
  }
}

/** Reads the one-off time as an ISO 8601 instant, or returns the field error. */
function readRunAt(value: string, timeZone: string): { runAt: string } | ScheduleFormState {
  let runAt: string | null | { skipped: true };
  try {
    runAt = localRunAt(value, timeZone);
  } catch {
    return { errors: { timeZone: 'Choose a time zone from the list.' } };
  }
  if (runAt === null) {
    return { errors: { runAt: 'Enter the date and time to run.' } };
  }
  if (typeof runAt !== 'string') {
    return { errors: { runAt: `${value.replace('T', ' ')} does not exist in ${timeZone}: the clocks skip it for daylight saving time. Choose another time.` } };
  }
  return { runAt };
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

  const template = readJobTemplate(formData);
  if ('errors' in template) {
    return template;
  }
  const timing = kind === 'once' ? readRunAt(text('runAt'), timeZone) : { cronExpression: text('cronExpression') };
  if ('errors' in timing) {
    return timing;
  }
  const fields = { name: text('name'), kind, timeZone, jobTemplate: template.jobTemplate, enabled: formData.get('enabled') === 'on', ...timing } as const;

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
    return formErrors(error, formData.get('jobTemplateMode') === 'json');
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
