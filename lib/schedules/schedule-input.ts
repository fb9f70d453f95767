import { z } from 'zod';

/** Longest accepted cron expression, in characters. */
const MAX_CRON_LENGTH = 200;

const name = z
  .string({ error: 'name: expected a text' })
  .trim()
  .min(1, { error: 'name: enter a name' })
  .max(100, { error: 'name: at most 100 characters' });

const kind = z.enum(['once', 'recurring'], { error: 'kind: expected once or recurring' });

const runAt = z.iso
  .datetime({ offset: true, error: 'runAt: expected an ISO 8601 date and time with a UTC offset, such as 2027-01-15T02:00:00+01:00' })
  .transform((value) => new Date(value));

const cronExpression = z
  .string({ error: 'cronExpression: expected a text' })
  .trim()
  .min(1, { error: 'cronExpression: enter a cron expression' })
  .max(MAX_CRON_LENGTH, { error: `cronExpression: at most ${MAX_CRON_LENGTH} characters` });

const timeZone = z.string({ error: 'timeZone: expected an IANA time zone name' }).trim().max(64, { error: 'timeZone: at most 64 characters' });

const jobTemplate = z.record(z.string(), z.unknown(), { error: 'jobTemplate: expected a JSON object with the fields of a job request' });

const enabled = z.boolean({ error: 'enabled: expected true or false' });

/** Input of createSchedule. Whether the timing fields fit the kind is checked with the merged record. */
export const createScheduleInput = z
  .object({
    name,
    kind,
    runAt: runAt.optional(),
    cronExpression: cronExpression.optional(),
    timeZone: timeZone.default('UTC'),
    jobTemplate,
    enabled: enabled.default(true),
  })
  .strict();

export type CreateScheduleInput = z.input<typeof createScheduleInput>;

/** Input of updateSchedule: any subset of the fields; `runAt` or `cronExpression` may be null to clear it when the kind changes. */
export const updateScheduleInput = z
  .object({
    name: name.optional(),
    kind: kind.optional(),
    runAt: runAt.nullable().optional(),
    cronExpression: cronExpression.nullable().optional(),
    timeZone: timeZone.optional(),
    jobTemplate: jobTemplate.optional(),
    enabled: enabled.optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { error: 'body: name at least one field to change' });

export type UpdateScheduleInput = z.input<typeof updateScheduleInput>;
