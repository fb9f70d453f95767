import { z } from 'zod';
import { MAX_WINDOW_MINUTES, parseMinuteOfDay } from './window-times';
import { isValidTimeZone } from './zoned-time';

/** Maximum number of windows per group. */
export const MAX_WINDOWS_PER_GROUP = 50;

const windowInput = z
  .object({
    daysOfWeek: z
      .array(
        z
          .number({ error: 'daysOfWeek: expected day numbers from 0 (Sunday) to 6 (Saturday)' })
          .int({ error: 'daysOfWeek: expected day numbers from 0 (Sunday) to 6 (Saturday)' })
          .min(0, { error: 'daysOfWeek: expected day numbers from 0 (Sunday) to 6 (Saturday)' })
          .max(6, { error: 'daysOfWeek: expected day numbers from 0 (Sunday) to 6 (Saturday)' }),
        { error: 'daysOfWeek: expected a list of day numbers' },
      )
      .min(1, { error: 'daysOfWeek: choose at least one day' })
      .max(7, { error: 'daysOfWeek: at most 7 days' })
      .transform((days) => [...new Set(days)].sort((a, b) => a - b)),
    startTime: z
      .string({ error: 'startTime: expected a time as HH:MM' })
      .refine((value) => parseMinuteOfDay(value) !== null, { error: 'startTime: expected a time as HH:MM on a 24-hour clock, such as 22:00' })
      .transform((value) => parseMinuteOfDay(value)!),
    durationMinutes: z
      .number({ error: 'durationMinutes: expected a number of minutes' })
      .int({ error: 'durationMinutes: expected a whole number of minutes' })
      .min(1, { error: 'durationMinutes: expected at least 1' })
      .max(MAX_WINDOW_MINUTES, { error: `durationMinutes: expected at most ${MAX_WINDOW_MINUTES} (one week)` }),
    timeZone: z
      .string({ error: 'timeZone: expected an IANA time zone name' })
      .trim()
      .refine(isValidTimeZone, { error: 'timeZone: unknown time zone; use an IANA name such as Europe/Berlin or UTC' }),
  })
  .strict();

/** Body of `PUT /api/v1/groups/:id/maintenance-windows`: the group's complete list of windows, replacing the stored one. */
export const setMaintenanceWindowsInput = z
  .object({
    windows: z
      .array(windowInput, { error: 'windows: expected a list of windows' })
      .max(MAX_WINDOWS_PER_GROUP, { error: `windows: at most ${MAX_WINDOWS_PER_GROUP} per group` }),
  })
  .strict();

export type SetMaintenanceWindowsInput = z.input<typeof setMaintenanceWindowsInput>;
