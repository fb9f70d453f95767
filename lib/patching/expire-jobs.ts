import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { finalizeJobs } from './finalize-jobs';

/** Extra time an agent gets past the job timeout to deliver its result. */
export const RESULT_GRACE_SECONDS = 300;

/**
 * Ends hosts that can no longer finish in time, so no job stays running
 * forever: hosts that never started before the job's deadline, and hosts
 * running longer than the job timeout plus a grace period. Each gets the
 * `timed-out` state with the reason; a later agent result still replaces it.
 */
export async function expireJobs(ctx: Context): Promise<{ hosts: number; jobs: string[] }> {
  return ctx.db.transaction(async (tx) => {
    const expired = await tx.execute<{ job_id: string; host_id: string }>(sql`
      update job_hosts h set
        status = 'timed-out',
        failure_cause = 'timeout',
        failure_message = case
          when h.status = 'running' then 'no result from the agent within the job timeout'
          else 'the host did not start the job before its deadline; it was offline or busy' end,
        finished_at = now()
      from jobs j
      where j.id = h.job_id and h.status in ('pending', 'sent', 'running') and (
        (h.status in ('pending', 'sent') and j.deadline_at < now())
        or (h.status = 'running' and h.started_at
            < now() - make_interval(secs => j.timeout_seconds + ${RESULT_GRACE_SECONDS})))
      returning h.job_id, h.host_id`);

    for (const row of expired) {
      await notifyJobEvent(tx, { kind: 'host', jobId: row.job_id, hostId: row.host_id });
    }
    const jobIds = [...new Set(expired.map((row) => row.job_id))];
    const closed = await finalizeJobs(tx, jobIds);
    return { hosts: expired.length, jobs: closed };
  });
}
