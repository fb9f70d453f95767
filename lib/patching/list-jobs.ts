import { desc, sql } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import { jobs } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';

/** Lists the jobs the actor may see (jobVisibleTo), newest first, with per-job host counts. */
export async function listJobs(ctx: Context, input: { page: number; pageSize: number }) {
  if (!Number.isInteger(input.page) || input.page < 1) {
    throw new ValidationError('page: expected 1 or more', { field: 'page' });
  }
  if (!Number.isInteger(input.pageSize) || input.pageSize < 1 || input.pageSize > 500) {
    throw new ValidationError('pageSize: expected 1 to 500', { field: 'pageSize' });
  }

  const [items, [count]] = await Promise.all([
    ctx.db
      .select({
        id: jobs.id,
        action: jobs.action,
        dryRun: jobs.dryRun,
        status: jobs.status,
        createdAt: jobs.createdAt,
        createdBy: jobs.createdBy,
        hostCount: sql<number>`(select count(*)::int from job_hosts h where h.job_id = ${jobs.id})`,
        succeeded: sql<number>`(select count(*)::int from job_hosts h where h.job_id = ${jobs.id} and h.status = 'succeeded')`,
        failed: sql<number>`(select count(*)::int from job_hosts h where h.job_id = ${jobs.id} and h.status in ('failed', 'timed-out'))`,
      })
      .from(jobs)
      .where(jobVisibleTo(ctx.actor, jobs.id))
      .orderBy(desc(jobs.createdAt))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    ctx.db.select({ total: sql<number>`count(*)::int` }).from(jobs).where(jobVisibleTo(ctx.actor, jobs.id)),
  ]);

  return { total: count?.total ?? 0, items };
}
