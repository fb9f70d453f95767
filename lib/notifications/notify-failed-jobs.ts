import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { deliverNotice, type NoticeOutcome } from './deliver-notice';
import { consoleLink, listLines, plural, SUBJECT_PREFIX } from './notice-text';

/** Settings key of the scan position: jobs that finished after it are still to be reported. */
export const FAILED_JOBS_CURSOR_KEY = 'notifications.failed_jobs_cursor';

/**
 * How far each scan reaches back before the stored position. A job finalised
 * by a transaction that started before the last scan but committed after it
 * carries a finished_at before the position, so only the overlap finds it.
 * The notification_log rows of jobs already reported keep them from repeating.
 */
const SCAN_OVERLAP = '2 minutes';

/** How far the first scan reaches back when no position is stored yet. */
const FIRST_SCAN_SPAN = '24 hours';

/** Most failed jobs one scan reports; later ones wait for the next scan. */
const MAX_JOBS_PER_SCAN = 200;

type FailedJob = {
  id: string;
  action: string;
  dry_run: boolean;
  created_by: string;
  finished_at: string;
  hosts: number;
  failed: number;
  failures: string[];
};

function describeJob(job: FailedJob, consoleUrl: string | null): string {
  const link = consoleLink(consoleUrl, `/jobs/${job.id}`);
  const lines = [
    `Job ${job.id}: ${job.action}${job.dry_run ? ' (dry run)' : ''}, created by ${job.created_by}, finished ${job.finished_at}`,
    `  ${job.failed} of ${plural(job.hosts, 'host')} failed: ${job.failures.join('; ')}${job.failed > job.failures.length ? '; …' : ''}`,
  ];
  if (link) {
    lines.push(`  ${link}`);
  }
  return lines.join('\n');
}

/**
 * Emails one notice listing the jobs that finished as failed since the last
 * scan, each job at most once per rate window, and moves the stored scan
 * position forward. Runs in the worker, so a notice does not depend on the
 * process that finalised the job staying up. Returns the notice outcome.
 */
export async function notifyFailedJobs(
  ctx: Context,
  options: { log: Logger; consoleUrl?: string | null },
): Promise<NoticeOutcome & { jobs: number }> {
  const [position] = await ctx.db.execute<{ scan_from: string; scan_to: string }>(sql`
    select coalesce((select (value->>'finishedAfter')::timestamptz from settings where key = ${FAILED_JOBS_CURSOR_KEY}),
        now() - interval ${sql.raw(`'${FIRST_SCAN_SPAN}'`)}) - interval ${sql.raw(`'${SCAN_OVERLAP}'`)} as scan_from,
      now() as scan_to`);

  const jobs = await ctx.db.execute<FailedJob>(sql`
    select j.id, j.action, j.dry_run, j.created_by,
      to_char(j.finished_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as finished_at,
      count(jh.host_id)::int as hosts,
      count(jh.host_id) filter (where jh.status in ('failed', 'timed-out'))::int as failed,
      coalesce((array_agg(h.hostname || ' ' || coalesce(jh.failure_cause, jh.status)
        || coalesce(' (exit ' || jh.exit_code || ')', '') order by h.hostname)
        filter (where jh.status in ('failed', 'timed-out')))[1:5], '{}') as failures
    from jobs j
    join job_hosts jh on jh.job_id = j.id
    join hosts h on h.id = jh.host_id
    where j.status = 'failed'
      and j.finished_at > ${position!.scan_from}::timestamptz
      and j.finished_at <= ${position!.scan_to}::timestamptz
      and not exists (
        select 1 from notification_log n
        where n.kind = 'job.failed' and n.subject = j.id::text and n.last_sent_at >= j.finished_at
      )
    group by j.id
    order by j.finished_at, j.id
    limit ${MAX_JOBS_PER_SCAN}`);

  const outcome = await deliverNotice(ctx.db, options.log, {
    kind: 'job.failed',
    subjects: jobs.map((job) => job.id),
    compose: (claimed) => {
      const reported = jobs.filter((job) => claimed.includes(job.id));
      return {
        subject: `${SUBJECT_PREFIX} ${plural(reported.length, 'patch job')} failed`,
        text: [`${plural(reported.length, 'patch job')} finished as failed:`, '', ...listLines(reported.map((job) => describeJob(job, options.consoleUrl ?? null)))].join('\n'),
      };
    },
  });

  // A full page means more failed jobs wait, so the next scan resumes at the
  // last one listed. The NOT EXISTS above skips the ones reported already.
  const pageFull = jobs.length === MAX_JOBS_PER_SCAN && outcome.status !== 'disabled';
  const resumeAt = pageFull ? sql`(select finished_at from jobs where id = ${jobs.at(-1)!.id})` : sql`${position!.scan_to}::timestamptz`;
  await ctx.db.execute(sql`
    insert into settings (key, value, updated_at)
    values (${FAILED_JOBS_CURSOR_KEY}, jsonb_build_object('finishedAfter', ${resumeAt}), now())
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`);

  return { ...outcome, jobs: jobs.length };
}
