import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import type { JobCommand, PatchRequest } from '@/agent/package-managers/types';

export interface DispatchItem {
  jobId: string;
  hostId: string;
  request: PatchRequest;
}

/**
 * Claims open job rows for the given hosts, marks pending ones as sent, and
 * returns what to push down each host's channel. Held rows wait for the
 * orchestrator to release them, so they are never claimed here. `onlyPending`
 * claims just the rows released since the last claim. Rows already sent or running
 * are returned again, so a job survives a dropped channel. The agent ignores a
 * job it already ran and resends its spooled result instead.
 */
export async function claimDispatchableJobs(
  db: Pick<Database, 'execute'>,
  options: { hostIds: string[]; jobId?: string; onlyPending?: boolean },
): Promise<DispatchItem[]> {
  if (options.hostIds.length === 0) return [];

  const rows = await db.execute<{
    job_id: string;
    host_id: string;
    action: PatchRequest['action'];
    packages: string[];
    dry_run: boolean;
    timeout_seconds: number;
    reboot_policy: NonNullable<PatchRequest['rebootPolicy']>;
    commands: { pre?: JobCommand; post?: JobCommand };
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
      and (not ${options.onlyPending ?? false} or h.status = 'pending')
    returning h.job_id, h.host_id, j.action, j.packages, j.dry_run, j.timeout_seconds, j.reboot_policy, j.commands`);

  return rows.map((row) => ({ jobId: row.job_id, hostId: row.host_id, request: toPatchRequest(row) }));
}

/** Builds the request; the reboot policy and commands appear only when the job sets them. */
function toPatchRequest(row: {
  action: PatchRequest['action'];
  packages: string[];
  dry_run: boolean;
  timeout_seconds: number;
  reboot_policy: NonNullable<PatchRequest['rebootPolicy']>;
  commands: { pre?: JobCommand; post?: JobCommand };
}): PatchRequest {
  const request: PatchRequest = {
    action: row.action,
    packages: row.packages,
    dryRun: row.dry_run,
    timeoutSeconds: row.timeout_seconds,
  };
  if (row.reboot_policy !== 'never') request.rebootPolicy = row.reboot_policy;
  if (row.commands.pre) request.preCommand = row.commands.pre;
  if (row.commands.post) request.postCommand = row.commands.post;
  return request;
}
