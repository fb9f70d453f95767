import { schedules } from '@/lib/db/schema';

/** A schedule as lib/ returns it to routes and pages. */
export interface ScheduleView {
  id: string;
  name: string;
  kind: 'once' | 'recurring';
  runAt: string | null;
  cronExpression: string | null;
  timeZone: string;
  jobTemplate: Record<string, unknown>;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRunStatus: 'fired' | 'missed' | 'failed' | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Columns selected for a ScheduleView. */
export const scheduleColumns = {
  id: schedules.id,
  name: schedules.name,
  kind: schedules.kind,
  runAt: schedules.runAt,
  cronExpression: schedules.cronExpression,
  timeZone: schedules.timeZone,
  jobTemplate: schedules.jobTemplate,
  enabled: schedules.enabled,
  nextRunAt: schedules.nextRunAt,
  lastRunAt: schedules.lastRunAt,
  lastRunStatus: schedules.lastRunStatus,
  createdBy: schedules.createdBy,
  createdAt: schedules.createdAt,
  updatedAt: schedules.updatedAt,
};

type ScheduleRow = Pick<typeof schedules.$inferSelect, keyof typeof scheduleColumns>;

/** Converts a selected row into a ScheduleView with ISO 8601 timestamps. */
export function toScheduleView(row: ScheduleRow): ScheduleView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ScheduleView['kind'],
    runAt: row.runAt?.toISOString() ?? null,
    cronExpression: row.cronExpression,
    timeZone: row.timeZone,
    jobTemplate: row.jobTemplate as Record<string, unknown>,
    enabled: row.enabled,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    lastRunStatus: row.lastRunStatus as ScheduleView['lastRunStatus'],
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
