import { sql } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';
import type { ReportPeriod } from './report-period';

/** One host's part of a job, as the job report shows it. */
export type JobReportRow = {
  jobId: string;
  /** When the job was created, UTC with microseconds; also the keyset cursor. */
  jobCreatedAt: string;
  action: string;
  dryRun: boolean;
  jobStatus: string;
  createdBy: string;
  hostId: string;
  hostname: string;
  status: string;
  exitCode: number | null;
  failureCause: string | null;
  failureMessage: string | null;
  /** Packages the run changed, from the stored before → after list. */
  changedPackages: number;
  /** The same list as text, `name before -> after` joined by `; `; `-` for a side that is absent. Empty when nothing changed. */
  packageChanges: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
};

/** Position after the last row of a page, for the next page. */
export interface JobReportCursor {
  jobCreatedAt: string;
  jobId: string;
  hostId: string;
}

const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * Lists job hosts of the jobs created in the period (UTC days, both ends
 * included), oldest job first, `limit` rows after `after`. The order is the
 * unique key (job created_at, job id, host id), so paging by keyset never
 * skips or repeats a row.
 * Only jobs the actor may see are listed (jobVisibleTo): an Operator gets no row of
 * a job that touched a host outside their groups.
 */
export async function listJobReport(
  ctx: Context,
  options: { period: ReportPeriod; after?: JobReportCursor | null; limit: number },
): Promise<JobReportRow[]> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 10_000) {
    throw new ValidationError('limit: expected a whole number from 1 to 10000', { field: 'limit' });
  }
  const { period, after } = options;
  const keyset = after
    ? sql`and (j.created_at, j.id, jh.host_id) > (${after.jobCreatedAt}::timestamptz, ${after.jobId}::uuid, ${after.hostId}::uuid)`
    : sql``;

  return ctx.db.execute<JobReportRow>(sql`
    select j.id as "jobId",
      to_char(j.created_at at time zone 'UTC', ${sql.raw(UTC_MICROS)}) as "jobCreatedAt",
      j.action, j.dry_run as "dryRun", j.status as "jobStatus", j.created_by as "createdBy",
      jh.host_id as "hostId", h.hostname, jh.status, jh.exit_code as "exitCode",
      jh.failure_cause as "failureCause", jh.failure_message as "failureMessage",
      case when jsonb_typeof(jh.changes) = 'array' then jsonb_array_length(jh.changes) else 0 end as "changedPackages",
      case when jsonb_typeof(jh.changes) = 'array' then coalesce((
        select string_agg(concat_ws(' ', c.value->>'name', coalesce(c.value->>'before', '-'), '->', coalesce(c.value->>'after', '-')), '; ' order by c.ordinality)
        from jsonb_array_elements(jh.changes) with ordinality as c(value, ordinality)), '') else '' end as "packageChanges",
      to_char(jh.started_at at time zone 'UTC', ${sql.raw(UTC_MICROS)}) as "startedAt",
      to_char(jh.finished_at at time zone 'UTC', ${sql.raw(UTC_MICROS)}) as "finishedAt",
      jh.duration_ms as "durationMs"
    from jobs j
    join job_hosts jh on jh.job_id = j.id
    join hosts h on h.id = jh.host_id
    where j.created_at >= ${period.from}::date::timestamp at time zone 'UTC'
      and j.created_at < (${period.to}::date + 1)::timestamp at time zone 'UTC'
      and ${jobVisibleTo(ctx.actor, sql`j.id`)}
      ${keyset}
    order by j.created_at, j.id, jh.host_id
    limit ${options.limit}`);
}
