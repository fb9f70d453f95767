import { and, eq, inArray, sql } from 'drizzle-orm';
import { hosts, jobHosts, jobs } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { ForbiddenError } from '@/lib/errors';
import type { PatchOutcomeMessage } from '@/lib/agent-protocol/schema';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { finalizeJobs } from './finalize-jobs';
import { advanceJob } from './advance-job';
import { lockJob } from './lock-job';

function agentHostId(ctx: Context): string {
  if (ctx.actor.kind !== 'agent') {
    throw new ForbiddenError('only an enrolled agent can report job progress');
  }
  return ctx.actor.hostId;
}

/** Marks the agent's part of a job as running. Returns false when the job is not this host's. */
export async function recordJobStarted(ctx: Context, jobId: string): Promise<boolean> {
  const hostId = agentHostId(ctx);

  return ctx.db.transaction(async (tx) => {
    // Only the first host to start changes the job row; no code sets a running job back to
    // queued. Later hosts skip the job lock and lock their own job_hosts row only, which takes
    // no part in a lock cycle with the orchestrator, and thousands of starts run side by side.
    const [job] = await tx.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
    const firstStart = job?.status === 'queued';
    if (firstStart) await lockJob(tx, jobId);
    const updated = await tx
      .update(jobHosts)
      .set({ status: 'running', startedAt: new Date() })
      .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, hostId), inArray(jobHosts.status, ['pending', 'sent'])))
      .returning({ jobId: jobHosts.jobId });
    if (updated.length === 0) return false;

    if (firstStart) {
      await tx
        .update(jobs)
        .set({ status: 'running', startedAt: sql`coalesce(${jobs.startedAt}, now())` })
        .where(and(eq(jobs.id, jobId), eq(jobs.status, 'queued')));
    }
    await notifyJobEvent(tx, { kind: 'host', jobId, hostId });
    return true;
  });
}

/**
 * Stores output lines of the agent's part of a job. Lines carry a per-host
 * sequence number, so lines sent again after a reconnect are stored once.
 */
export async function recordJobOutput(
  ctx: Context,
  jobId: string,
  lines: { seq: number; stream: 'stdout' | 'stderr'; line: string }[],
): Promise<number> {
  const hostId = agentHostId(ctx);

  return ctx.db.transaction(async (tx) => {
    const rows = await tx.execute<{ seq: number }>(sql`
      insert into job_output (job_id, host_id, seq, stream, line)
      select ${jobId}::uuid, ${hostId}::uuid, x.seq, x.stream, x.line
      from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb) as x(seq int, stream text, line text)
      where exists (select 1 from job_hosts where job_id = ${jobId}::uuid and host_id = ${hostId}::uuid)
      on conflict (job_id, host_id, seq) do nothing
      returning seq`);
    if (rows.length > 0) {
      await notifyJobEvent(tx, { kind: 'output', jobId });
    }
    return rows.length;
  });
}

/**
 * Stores the agent's result for its part of a job, then lets the orchestrator
 * release the next hosts or close the job. A result for a host already marked
 * timed-out replaces the timeout, because the agent finished the work after all,
 * and a host that was rebooting takes the result that ended its reboot (such as
 * a failed reboot command). A failure with the cause `cancelled` stores the host
 * as cancelled. A host cancelled while its agent was already past the last safe
 * point takes the real result, so packages changed after all are on record. The host's reboot state is updated from the result. Repeated
 * results are ignored, so the agent can resend its spooled result safely.
 */
export async function recordJobResult(
  ctx: Context,
  jobId: string,
  outcome: PatchOutcomeMessage,
  options: { updateHostReboot?: boolean } = {},
): Promise<boolean> {
  const hostId = agentHostId(ctx);

  return ctx.db.transaction(async (tx) => {
    // The job row is locked before its host row, in the orchestrator's order.
    await lockJob(tx, jobId);
    const [previous] = await tx
      .select({ status: jobHosts.status })
      .from(jobHosts)
      .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, hostId)))
      .for('update');
    const ranDespiteCancel = previous?.status === 'cancelled' && outcome.failure?.cause !== 'cancelled';
    if (!previous || (!['pending', 'sent', 'running', 'rebooting', 'timed-out'].includes(previous.status) && !ranDespiteCancel)) {
      return false;
    }

    await tx
      .update(jobHosts)
      .set({
        status: outcome.failure?.cause === 'cancelled' ? 'cancelled' : outcome.status,
        exitCode: outcome.exitCode,
        failureCause: outcome.failure?.cause ?? null,
        failureMessage: outcome.failure?.message ?? null,
        changes: outcome.changes,
        rebootRequired: outcome.reboot.required,
        startedAt: sql`coalesce(${jobHosts.startedAt}, now())`,
        finishedAt: new Date(),
        durationMs: outcome.durationMs,
      })
      .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, hostId)));

    if (options.updateHostReboot ?? true) {
      await tx
        .update(hosts)
        .set({
          rebootRequired: outcome.reboot.required,
          rebootReason: outcome.reboot.reason,
          rebootPackages: outcome.reboot.packages,
          rebootHash: null,
        })
        .where(eq(hosts.id, hostId));
    }

    await notifyJobEvent(tx, { kind: 'host', jobId, hostId });
    if (previous.status === 'timed-out' || ranDespiteCancel) {
      await finalizeJobs(tx, [jobId], { includeFinished: true });
    }
    await advanceJob(tx, jobId);
    return true;
  });
}

/** Records that the agent refused a job it could not run, such as an unsupported action. */
export async function recordJobRejected(ctx: Context, jobId: string, reason: string): Promise<boolean> {
  return recordJobResult(ctx, jobId, {
    exitCode: null,
    status: 'failed',
    failure: { cause: 'unknown', message: `agent rejected the job: ${reason}`, retriable: false },
    changes: [],
    reboot: { required: 'unknown', reason: 'job not run', packages: [] },
    durationMs: 0,
  }, { updateHostReboot: false });
}
