import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { jobs } from './schema';
import { users } from './schema-auth';
import { hostGroups } from './schema-groups';

/**
 * A patch job that starts on its own: once at `run_at`, or at every match of a
 * five-field cron expression read in the IANA time zone `time_zone`. The job
 * template is the input of createJob, stored as given and validated on save
 * and again when the job is created. `next_run_at` is the next occurrence the
 * worker fires; it is null when the schedule is disabled or has no occurrence left.
 */
export const schedules = pgTable(
  'schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    runAt: timestamp('run_at', { withTimezone: true }),
    cronExpression: text('cron_expression'),
    timeZone: text('time_zone').notNull(),
    jobTemplate: jsonb('job_template').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    nextRunAt: timestamp('next_run_at', { withTimezone: true }),
    lastRunAt: timestamp('last_run_at', { withTimezone: true }),
    lastRunStatus: text('last_run_status'),
    /** The user who created the schedule; an Operator's schedule fires only on hosts that user still sees. */
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('schedules_next_run_idx').on(t.nextRunAt).where(sql`${t.enabled}`),
    index('schedules_name_idx').on(t.name),
    check('schedules_kind_check', sql`${t.kind} in ('once', 'recurring')`),
    check(
      'schedules_timing_check',
      sql`(${t.kind} = 'once' and ${t.runAt} is not null and ${t.cronExpression} is null)
        or (${t.kind} = 'recurring' and ${t.cronExpression} is not null and ${t.runAt} is null)`,
    ),
    check('schedules_name_check', sql`length(${t.name}) between 1 and 100`),
    check('schedules_last_run_status_check', sql`${t.lastRunStatus} in ('fired', 'missed', 'failed')`),
  ],
);

/**
 * One occurrence of a schedule that the worker handled: `fired` created job
 * `job_id`, `missed` was found past the grace period and did not run, and
 * `failed` could not create its job, with the cause in `reason`. The unique
 * index makes a second record of the same occurrence fail.
 */
export const scheduleRuns = pgTable(
  'schedule_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull(),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'set null' }),
    status: text('status').notNull(),
    reason: text('reason'),
  },
  (t) => [
    uniqueIndex('schedule_runs_occurrence_idx').on(t.scheduleId, t.scheduledFor),
    index('schedule_runs_fired_idx').on(t.firedAt),
    check('schedule_runs_status_check', sql`${t.status} in ('fired', 'missed', 'failed')`),
  ],
);

/**
 * A weekly maintenance window of a host group: it opens at `start_minute`
 * (minutes after local midnight) on each day of `days_of_week` (0 = Sunday to
 * 6 = Saturday) in `time_zone`, and stays open for `duration_minutes` of
 * elapsed time. A host in a group with windows may start patching only while
 * one of its groups' windows is open.
 */
export const maintenanceWindows = pgTable(
  'maintenance_windows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => hostGroups.id, { onDelete: 'cascade' }),
    daysOfWeek: integer('days_of_week').array().notNull(),
    startMinute: integer('start_minute').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    timeZone: text('time_zone').notNull(),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('maintenance_windows_group_idx').on(t.groupId, t.position),
    check('maintenance_windows_start_check', sql`${t.startMinute} between 0 and 1439`),
    check('maintenance_windows_duration_check', sql`${t.durationMinutes} between 1 and 10080`),
    check(
      'maintenance_windows_days_check',
      sql`cardinality(${t.daysOfWeek}) between 1 and 7 and ${t.daysOfWeek} <@ array[0, 1, 2, 3, 4, 5, 6]`,
    ),
  ],
);
