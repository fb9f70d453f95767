import { and, asc, eq, gt } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import { jobOutput, jobs } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { UUID_PATTERN } from '@/lib/hosts/find-visible-host';

/**
 * Returns output lines of a job after `afterId`, in arrival order. Raises
 * NotFoundError for an unknown job and for a job the actor may not see, checked on
 * every call, so a live stream stops as soon as a group change hides the job. The
 * id cursor lets a live stream resume without gaps or repeats.
 */
export async function listJobOutput(ctx: Context, input: { jobId: string; afterId: number; limit: number }) {
  if (!UUID_PATTERN.test(input.jobId)) {
    throw new NotFoundError('job not found');
  }
  const [job] = await ctx.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.id, input.jobId), jobVisibleTo(ctx.actor, jobs.id)));
  if (!job) {
    throw new NotFoundError('job not found');
  }

  return ctx.db
    .select({
      id: jobOutput.id,
      hostId: jobOutput.hostId,
      seq: jobOutput.seq,
      stream: jobOutput.stream,
      line: jobOutput.line,
    })
    .from(jobOutput)
    .where(and(eq(jobOutput.jobId, input.jobId), gt(jobOutput.id, input.afterId)))
    .orderBy(asc(jobOutput.id))
    .limit(input.limit);
}
