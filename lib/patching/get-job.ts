import { and, asc, eq } from 'drizzle-orm';
import { jobVisibleTo } from '@/lib/access/host-scope';
import { hosts, jobHosts, jobs } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { UUID_PATTERN } from '@/lib/hosts/find-visible-host';
import type { JobCommand, PackageChange } from '@/agent/package-managers/types';
import type { JobScope } from './resolve-job-scope';

/**
 * Returns a job with every host's status and stored result. Raises NotFoundError for
 * an unknown job and for a job with any host outside an Operator's groups.
 */
export async function getJob(ctx: Context, input: { jobId: string }) {
  if (!UUID_PATTERN.test(input.jobId)) {
    throw new NotFoundError('job not found');
  }

  const [job] = await ctx.db
    .select({
      id: jobs.id,
      action: jobs.action,
      packages: jobs.packages,
      dryRun: jobs.dryRun,
      status: jobs.status,
      timeoutSeconds: jobs.timeoutSeconds,
      createdBy: jobs.createdBy,
      createdAt: jobs.createdAt,
      startedAt: jobs.startedAt,
      finishedAt: jobs.finishedAt,
      deadlineAt: jobs.deadlineAt,
      scope: jobs.scope,
      rebootPolicy: jobs.rebootPolicy,
      rebootTimeoutSeconds: jobs.rebootTimeoutSeconds,
      maxParallel: jobs.maxParallel,
      stopAfterFailures: jobs.failureLimitCount,
      stopAfterFailurePercent: jobs.failureLimitPercent,
      canarySize: jobs.canarySize,
      canaryPercent: jobs.canaryPercent,
      commands: jobs.commands,
      stopReason: jobs.stopReason,
    })
    .from(jobs)
    .where(and(eq(jobs.id, input.jobId), jobVisibleTo(ctx.actor, jobs.id)));
  if (!job) {
    throw new NotFoundError('job not found');
  }

  const hostRows = await ctx.db
    .select({
      hostId: jobHosts.hostId,
      hostname: hosts.hostname,
      status: jobHosts.status,
      exitCode: jobHosts.exitCode,
      failureCause: jobHosts.failureCause,
      failureMessage: jobHosts.failureMessage,
      changes: jobHosts.changes,
      rebootRequired: jobHosts.rebootRequired,
      sentAt: jobHosts.sentAt,
      startedAt: jobHosts.startedAt,
      finishedAt: jobHosts.finishedAt,
      durationMs: jobHosts.durationMs,
      wave: jobHosts.wave,
      rebootStartedAt: jobHosts.rebootStartedAt,
      rebootedAt: jobHosts.rebootedAt,
    })
    .from(jobHosts)
    .innerJoin(hosts, eq(hosts.id, jobHosts.hostId))
    .where(eq(jobHosts.jobId, input.jobId))
    .orderBy(asc(hosts.hostname));

  return {
    ...job,
    scope: job.scope as JobScope,
    commands: job.commands as { pre?: JobCommand; post?: JobCommand },
    hosts: hostRows.map((row) => ({ ...row, changes: row.changes as PackageChange[] })),
  };
}

export type JobDetail = Awaited<ReturnType<typeof getJob>>;
