import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import type { PatchRequest } from '@/agent/package-managers/types';

export interface DispatchItem {
  jobId: string;
  hostId: string;
  request: PatchRequest;
}

/**
 * Claims open job rows for the given hosts, marks pending ones as sent, and
 * returns what to push down each host's channel. Rows already sent or running
 * are returned again, so a job survives a dropped channel. The agent ignores a
 * job it already ran and resends its spooled result instead.
 */
export async function claimDispatchableJobs(
  db: Pick<Database, 'execute'>,
  options: { hostIds: string[]; jobId?: string },
): Promise<DispatchItem[]> {
  if (options.hostIds.length === 0) return [];

  const rows = await db.execute<{
    job_id: string;
    host_id: string;
    action: PatchRequest['action'];
    packages: string[];
    dry_run: boolean;
    timeout_seconds: number;
  }>(sql`
    update job_hosts h set status = case when h.status = 'pending' then 'sent' else h.status end,
      sent_at = coalesce(h.sent_at, now())
    from jobs j
    where j.id = h.job_id
      and h.host_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(options.hostIds)}::jsonb))
      and h.status in ('pending', 'sent', 'running')
      and j.status in ('queued', 'running')
      and j.deadline_at > now()
      and (${options.jobId ?? null}::uuid is null or h.job_id = ${options.jobId ?? null}::uuid)
    returning h.job_id, h.host_id, j.action, j.packages, j.dry_run, j.timeout_seconds`);

  return rows.map((row) => ({
    jobId: row.job_id,
    hostId: row.host_id,
    request: {
      action: row.action,
      packages: row.packages,
      dryRun: row.dry_run,
      timeoutSeconds: row.timeout_seconds,
    },
  }));
}
