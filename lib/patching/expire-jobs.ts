import { sql } from 'drizzle-orm';
import type { Transaction } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { advanceJob } from './advance-job';
import { lockJob } from './lock-job';

/** Extra time an agent gets past the job timeout to deliver its result. */
export const RESULT_GRACE_SECONDS = 300;

/**
 * Sweeps the open jobs for the worker, so no job stays running forever. Each job gets
 * its own transaction under the job's row lock. Hosts that never started before the
 * job's deadline (held or released) get `timed-out` with the reason, and so do hosts
 * running longer than the job timeout plus a grace period. A later agent result still
 * replaces a timeout. Hosts still rebooting after the job's reboot timeout fail with
 * `reboot-timeout`. Then the orchestrator releases hosts that may start now (for
 * example when the start gate allows them again) and closes finished jobs. Returns the
 * number of hosts ended and the ids of the jobs closed.
 */
export async function expireJobs(ctx: Context): Promise<{ hosts: number; jobs: string[] }> {
  const open = await ctx.db.execute<{ id: string }>(sql`select id from jobs where status in ('queued', 'running') order by created_at`);

  let ended = 0;
  const closed: string[] = [];
  for (const { id } of open) {
    const result = await ctx.db.transaction(async (tx) => {
      if (!(await lockJob(tx, id))) return { ended: 0, finished: false };
      const expired = await expireJobHosts(tx, id);
      const advanced = await advanceJob(tx, id);
      return { ended: expired, finished: advanced.finished };
    });
    ended += result.ended;
    if (result.finished) closed.push(id);
  }
  return { hosts: ended, jobs: closed };
}

async function expireJobHosts(tx: Transaction, jobId: string): Promise<number> {
  const rows = await tx.execute<{ host_id: string }>(sql`
    update job_hosts h set
      status = case when h.status = 'rebooting' then 'failed' else 'timed-out' end,
      failure_cause = case when h.status = 'rebooting' then 'reboot-timeout' else 'timeout' end,
      failure_message = case
        when h.status = 'running' then 'no result from the agent within the job timeout'
        when h.status = 'rebooting' then 'the host did not come back with a new boot id within the reboot timeout'
        when h.status = 'held' then 'the job reached its deadline before this host''s turn came'
        else 'the host did not start the job before its deadline; it was offline or busy' end,
      finished_at = now()
    from jobs j
    where j.id = h.job_id and h.job_id = ${jobId}::uuid and (
      (h.status in ('held', 'pending', 'sent') and j.deadline_at < now())
      or (h.status = 'running' and h.started_at
          < now() - make_interval(secs => j.timeout_seconds + ${RESULT_GRACE_SECONDS}))
      or (h.status = 'rebooting' and h.reboot_started_at
          < now() - make_interval(secs => j.reboot_timeout_seconds)))
    returning h.host_id`);

  for (const row of rows) {
    await notifyJobEvent(tx, { kind: 'host', jobId, hostId: row.host_id });
  }
  return rows.length;
}
