import { sql } from 'drizzle-orm';
import { writeAudit, type Transaction } from '@/lib/audit/write-audit';
import { notifyJobEvent } from '@/lib/realtime/channels';

/**
 * Closes the given jobs whose hosts have all reached a terminal state: failed
 * when any host failed or timed out, cancelled when the job was cancelled or
 * every host was cancelled, succeeded otherwise. Skipped hosts count as neither. Jobs with open hosts are left alone. `includeFinished`
 * recomputes closed jobs too, for a late agent result that replaces a timeout.
 * Each closed job gets a `job.finish` audit row in the caller's transaction.
 * Returns the ids it closed or recomputed.
 */
export async function finalizeJobs(
  db: Transaction,
  jobIds: string[],
  options: { includeFinished?: boolean } = {},
): Promise<string[]> {
  if (jobIds.length === 0) return [];

  const rows = await db.execute<{ id: string; status: string; stop_reason: string | null }>(sql`
    update jobs j set
      status = case
        when c.failed > 0 then 'failed'
        when j.stop_reason = 'cancelled' or c.cancelled = c.total then 'cancelled'
        else 'succeeded' end,
      finished_at = now(),
      started_at = coalesce(j.started_at, now())
    from (
      select job_id,
        count(*) as total,
        count(*) filter (where status in ('failed', 'timed-out')) as failed,
        count(*) filter (where status = 'cancelled') as cancelled,
        count(*) filter (where status in ('held', 'pending', 'sent', 'running', 'rebooting')) as open
      from job_hosts
      where job_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(jobIds)}::jsonb))
      group by job_id
    ) c
    where j.id = c.job_id and c.open = 0
      and (j.status in ('queued', 'running') or ${options.includeFinished ?? false})
    returning j.id, j.status, j.stop_reason`);

  for (const row of rows) {
    await notifyJobEvent(db, { kind: 'job', jobId: row.id });
  }
  for (const row of rows) {
    await writeAudit(db, {
      actor: { kind: 'system', name: 'job-finalizer' },
      action: 'job.finish',
      target: { kind: 'job', id: row.id },
      details: { status: row.status, stopReason: row.stop_reason },
    });
  }
  return rows.map((row) => row.id);
}
