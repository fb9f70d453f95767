import { parseInput } from '@/lib/validation';
import { inArray, sql } from 'drizzle-orm';
import { approvedCommands, jobs } from '@/lib/db/schema';
import { actorLabel, type Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { writeAudit, type Transaction } from '@/lib/audit/write-audit';
import type { JobCommand } from '@/agent/package-managers/types';
import { advanceJob, assignWaves } from './advance-job';
import { createJobInput, type CreateJobInput, type CreateJobRequest } from './job-input';
import { resolveJobScope } from './resolve-job-scope';

export { createJobInput, JOB_ACTIONS, PACKAGE_NAME, type CreateJobInput } from './job-input';

export interface JobLimits {
  defaultTimeoutSeconds: number;
  /** Seconds a host may stay offline before its part of the job times out. */
  hostWaitSeconds: number;
}

/**
 * Creates a job with one held row per host, each with its wave, and releases the first
 * hosts at once through the orchestrator. The hosts are fixed now, resolved from host
 * ids, groups or a filter and limited to what the actor may see. The pre and post
 * commands are copied onto the job, so deleting an approved command later does not
 * change what the job runs. Writes the `job.create` audit row in the same transaction.
 *
 * The deadline allows for the hosts running in turns: the host wait plus one timeout
 * (and one reboot wait, when the job may reboot) for every batch of `maxParallel` hosts
 * and for the canary wave. This is an estimate, so a job whose hosts take longer
 * than their timeout on every batch can still reach its deadline.
 */
export async function createJob(ctx: Context, input: CreateJobInput, limits: JobLimits = defaultLimits()): Promise<{ id: string }> {
  const request = parseInput(createJobInput, input, 'job request');
  const timeoutSeconds = request.timeoutSeconds ?? limits.defaultTimeoutSeconds;

  return ctx.db.transaction(async (tx) => {
    const { scope, hostIds } = await resolveJobScope(tx, ctx.actor, request);
    const commands = await loadCommands(tx, request);
    const waves = assignWaves(hostIds, request);
    const canary = waves.filter((row) => row.wave === 1).length < hostIds.length;

    const batches = Math.ceil(hostIds.length / (request.maxParallel ?? hostIds.length)) + (canary ? 1 : 0);
    const perBatch = timeoutSeconds + (request.rebootPolicy === 'never' ? 0 : request.rebootTimeoutSeconds);
    const deadlineAt = new Date(Date.now() + (limits.hostWaitSeconds + perBatch * batches) * 1000);

    const [job] = await tx
      .insert(jobs)
      .values({
        action: request.action,
        packages: request.packages,
        dryRun: request.dryRun,
        timeoutSeconds,
        createdBy: actorLabel(ctx.actor),
        deadlineAt,
        scope,
        rebootPolicy: request.rebootPolicy,
        rebootTimeoutSeconds: request.rebootTimeoutSeconds,
        maxParallel: request.maxParallel ?? null,
        failureLimitCount: request.stopAfterFailures ?? null,
        failureLimitPercent: request.stopAfterFailurePercent ?? null,
        canarySize: request.canarySize ?? null,
        canaryPercent: request.canaryPercent ?? null,
        preCommandId: request.preCommandId ?? null,
        postCommandId: request.postCommandId ?? null,
        commands,
      })
      .returning({ id: jobs.id });
    const jobId = job!.id;

    await tx.execute(sql`
      insert into job_hosts (job_id, host_id, wave, status)
      select ${jobId}::uuid, x."hostId", x.wave, 'held'
      from jsonb_to_recordset(${JSON.stringify(waves)}::jsonb) as x("hostId" uuid, wave int)`);
    // The orchestrator's dispatch event pushes the released hosts to their agents.
    await advanceJob(tx, jobId);
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'job.create',
      target: { kind: 'job', id: jobId },
      details: {
        action: request.action,
        hostCount: hostIds.length,
        packages: request.packages,
        dryRun: request.dryRun,
        timeoutSeconds,
        scope: scope.kind,
        rebootPolicy: request.rebootPolicy,
        maxParallel: request.maxParallel ?? null,
        stopAfterFailures: request.stopAfterFailures ?? null,
        stopAfterFailurePercent: request.stopAfterFailurePercent ?? null,
        canaryHosts: canary ? waves.filter((row) => row.wave === 1).length : null,
        preCommand: commands.pre?.name ?? null,
        postCommand: commands.post?.name ?? null,
      },
    });

    return { id: jobId };
  });
}

/** Reads the chosen approved commands; an unknown id is "not found" on its field. */
async function loadCommands(tx: Transaction, request: CreateJobRequest): Promise<{ pre?: JobCommand; post?: JobCommand }> {
  const ids = [request.preCommandId, request.postCommandId].filter((id) => id !== undefined);
  if (ids.length === 0) return {};

  const rows = await tx
    .select({ id: approvedCommands.id, name: approvedCommands.name, argv: approvedCommands.argv, timeoutSeconds: approvedCommands.timeoutSeconds })
    .from(approvedCommands)
    .where(inArray(approvedCommands.id, ids));
  const byId = new Map(rows.map(({ id, ...command }) => [id, command]));

  const pick = (field: 'preCommandId' | 'postCommandId'): JobCommand | undefined => {
    const id = request[field];
    if (id === undefined) return undefined;
    const command = byId.get(id.toLowerCase());
    if (!command) throw new NotFoundError(`${field}: approved command not found: ${id}`, { field });
    return command;
  };
  return { pre: pick('preCommandId'), post: pick('postCommandId') };
}

function defaultLimits(): JobLimits {
  const { config } = getRuntime();
  return { defaultTimeoutSeconds: config.jobDefaultTimeoutSeconds, hostWaitSeconds: config.jobHostWaitSeconds };
}
