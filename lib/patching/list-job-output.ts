import { and, asc, eq, gt } from 'drizzle-orm';
import { jobOutput } from '@/lib/db/schema';
import type { Context } from '@/lib/context';

/**
 * Returns output lines of a job after `afterId`, in arrival order. Callers
 * check the job's visibility first (getJob); the id cursor lets a live
 * stream resume without gaps or repeats.
 */
export async function listJobOutput(ctx: Context, input: { jobId: string; afterId: number; limit: number }) {
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
