import { and, eq } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { jobHosts } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/errors';

/**
 * Returns whether the agent's host is one of the job's hosts, in any status. The agent
 * channel calls it for a job message the database did not take, to tell a resent
 * message (the host is part of the job) from one naming a job the host was never part of.
 */
export async function isJobHost(ctx: Context, jobId: string): Promise<boolean> {
  if (ctx.actor.kind !== 'agent') {
    throw new ForbiddenError('only an enrolled agent can ask about its own jobs');
  }

  const rows = await ctx.db
    .select({ jobId: jobHosts.jobId })
    .from(jobHosts)
    .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, ctx.actor.hostId)))
    .limit(1);
  return rows.length > 0;
}
