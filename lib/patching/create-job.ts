import { parseInput } from '@/lib/validation';
import { and, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { hosts, jobs } from '@/lib/db/schema';
import { actorLabel, type Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { getRuntime } from '@/lib/runtime';
import { writeAudit } from '@/lib/audit/write-audit';

/**
 * Package names as apt, dnf, zypper and pacman accept them. A leading `-` could
 * pass as an option, and apt-get reads a trailing `-` as "remove", so names must
 * start with a letter or digit and must not end with `-`.
 */
export const PACKAGE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9+._@:-]{0,198}[A-Za-z0-9+._])?$/;

export const JOB_ACTIONS = ['refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade'] as const;

export const createJobInput = z
  .object({
    hostIds: z
      .array(z.uuid({ error: 'hostIds: each entry must be a host id (UUID)' }), {
        error: 'hostIds: expected a list of host ids',
      })
      .min(1, { error: 'hostIds: choose at least one host' })
      .max(10_000, { error: 'hostIds: at most 10000 hosts per job' }),
    action: z.enum(JOB_ACTIONS, {
      error: `action: expected one of ${JOB_ACTIONS.join(', ')}`,
    }),
    packages: z
      .array(
        z.string().regex(PACKAGE_NAME, {
          error: 'packages: each name must start with a letter or digit, must not end with -, and may use only letters, digits and + . _ @ : -',
        }),
      )
      .max(1000, { error: 'packages: at most 1000 names' })
      .default([]),
    dryRun: z.boolean({ error: 'dryRun: expected true or false' }).default(false),
    timeoutSeconds: z
      .number({ error: 'timeoutSeconds: expected a number of seconds' })
      .int({ error: 'timeoutSeconds: expected a whole number of seconds' })
      .min(30, { error: 'timeoutSeconds: expected at least 30' })
      .max(86_400, { error: 'timeoutSeconds: expected at most 86400 (24 hours)' })
      .optional(),
  })
  .strict()
  .superRefine((value, refine) => {
    if (value.action === 'packages' && value.packages.length === 0) {
      refine.addIssue({ code: 'custom', path: ['packages'], message: 'packages: name at least one package for the packages action' });
    }
    if (value.action !== 'packages' && value.packages.length > 0) {
      refine.addIssue({ code: 'custom', path: ['packages'], message: 'packages: only the packages action takes package names' });
    }
  });

export type CreateJobInput = z.input<typeof createJobInput>;

/**
 * Creates a job and one pending row per host, then notifies every server
 * process so connected agents get the job at once. Hosts that are offline
 * get it when they reconnect, until the job's deadline.
 */
export async function createJob(
  ctx: Context,
  input: CreateJobInput,
  limits: { defaultTimeoutSeconds: number; hostWaitSeconds: number } = defaultLimits(),
): Promise<{ id: string }> {
  const request = parseInput(createJobInput, input, 'job request');
  const hostIds = [...new Set(request.hostIds.map((id) => id.toLowerCase()))];
  const timeoutSeconds = request.timeoutSeconds ?? limits.defaultTimeoutSeconds;

  return ctx.db.transaction(async (tx) => {
    const found = await tx
      .select({ id: hosts.id })
      .from(hosts)
      // Only hosts the actor may see can be targeted; any other id reads as not found.
      .where(and(inArray(hosts.id, hostIds), isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id)));
    if (found.length !== hostIds.length) {
      const known = new Set(found.map((row) => row.id));
      const missing = hostIds.filter((id) => !known.has(id));
      throw new NotFoundError(`hostIds: host not found: ${missing.slice(0, 5).join(', ')}`, { field: 'hostIds' });
    }

    const deadlineAt = new Date(Date.now() + (limits.hostWaitSeconds + timeoutSeconds) * 1000);
    const [job] = await tx
      .insert(jobs)
      .values({
        action: request.action,
        packages: request.packages,
        dryRun: request.dryRun,
        timeoutSeconds,
        createdBy: actorLabel(ctx.actor),
        deadlineAt,
      })
      .returning({ id: jobs.id });
    const jobId = job!.id;

    await tx.execute(sql`
      insert into job_hosts (job_id, host_id)
      select ${jobId}::uuid, value::uuid from jsonb_array_elements_text(${JSON.stringify(hostIds)}::jsonb)`);
    await notifyJobEvent(tx, { kind: 'created', jobId });
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
      },
    });

    return { id: jobId };
  });
}

function defaultLimits() {
  const { config } = getRuntime();
  return { defaultTimeoutSeconds: config.jobDefaultTimeoutSeconds, hostWaitSeconds: config.jobHostWaitSeconds };
}
