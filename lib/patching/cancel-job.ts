import { and, eq, inArray } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { jobHosts, jobs } from '@/lib/db/schema';
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors';
import { UUID_PATTERN } from '@/lib/hosts/find-visible-host';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { advanceJob } from './advance-job';

/**
 * Cancels a job. Hosts that have not started (held, released, or sent but not yet
 * started) become `cancelled` and never start. Every server process sends the agents a
 * cancel message, so a running host stops at its next safe point and reports
 * `cancelled`. The safe points are before the package manager starts and before a
 * reboot, so hosts already in the package manager finish their run. Writes
 * `job.cancel` in the same transaction. A job the actor cannot see is "not found", and
 * a finished job raises ConflictError.
 */
export async function cancelJob(ctx: Context, input: { jobId: string }): Promise<{ cancelledHosts: number }> {
  if (ctx.actor.kind === 'agent') {
    throw new ForbiddenError('an agent cannot cancel jobs');
  }
  if (!UUID_PATTERN.test(input.jobId)) {
    throw new NotFoundError('job not found');
  }

  return ctx.db.transaction(async (tx) => {
    const [job] = await tx
      .select({ id: jobs.id, status: jobs.status })
      .from(jobs)
      .where(and(eq(jobs.id, input.jobId), jobVisibleTo(ctx.actor, jobs.id)))
      .for('update');
    if (!job) {
      throw new NotFoundError('job not found');
    }
    if (!['queued', 'running'].includes(job.status)) {
      throw new ConflictError(`the job already finished with status ${job.status}; only a queued or running job can be cancelled`);
    }

    await tx.update(jobs).set({ stopReason: 'cancelled' }).where(eq(jobs.id, job.id));
    const cancelled = await tx
      .update(jobHosts)
      .set({ status: 'cancelled', failureCause: 'cancelled', failureMessage: 'the job was cancelled before this host started', finishedAt: new Date() })
      .where(and(eq(jobHosts.jobId, job.id), inArray(jobHosts.status, ['held', 'pending', 'sent'])))
      .returning({ hostId: jobHosts.hostId });

    await notifyJobEvent(tx, { kind: 'cancel', jobId: job.id });
    await notifyJobEvent(tx, { kind: 'job', jobId: job.id });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'job.cancel',
      target: { kind: 'job', id: job.id },
      details: { cancelledHosts: cancelled.length },
    });
    await advanceJob(tx, job.id);

    return { cancelledHosts: cancelled.length };
  });
}
