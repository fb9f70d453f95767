import type { Context } from '@/lib/context';
import { csvStream } from './csv';
import { listJobReport, type JobReportCursor } from './list-job-report';
import type { ReportPeriod } from './report-period';

/** Rows read per query while streaming the job report. */
const BATCH_SIZE = 1000;

export const JOBS_CSV_COLUMNS = [
  'job_id',
  'job_created_at',
  'action',
  'dry_run',
  'job_status',
  'created_by',
  'host_id',
  'hostname',
  'status',
  'exit_code',
  'failure_cause',
  'failure_message',
  'changed_packages',
  'package_changes',
  'started_at',
  'finished_at',
  'duration_seconds',
] as const;

/**
 * Streams the job report of a period as CSV, one record per job host, oldest
 * job first, reading batches by keyset so memory stays constant. Cells that a
 * spreadsheet would run as a formula are prefixed with `'`.
 */
export function exportJobsCsv(ctx: Context, options: { period: ReportPeriod }): ReadableStream<Uint8Array> {
  let cursor: JobReportCursor | null = null;
  let finished = false;

  return csvStream(JOBS_CSV_COLUMNS, async () => {
    if (finished) {
      return null;
    }

    const rows = await listJobReport(ctx, { period: options.period, after: cursor, limit: BATCH_SIZE });
    const last = rows.at(-1);
    if (!last || rows.length < BATCH_SIZE) {
      finished = true;
    } else {
      cursor = { jobCreatedAt: last.jobCreatedAt, jobId: last.jobId, hostId: last.hostId };
    }
    if (rows.length === 0) {
      return null;
    }

    return rows.map((row) => [
      row.jobId,
      row.jobCreatedAt,
      row.action,
      row.dryRun ? 'true' : 'false',
      row.jobStatus,
      row.createdBy,
      row.hostId,
      row.hostname,
      row.status,
      row.exitCode,
      row.failureCause,
      row.failureMessage,
      row.changedPackages,
      row.packageChanges,
      row.startedAt,
      row.finishedAt,
      row.durationMs === null ? null : (row.durationMs / 1000).toFixed(3),
    ]);
  });
}
