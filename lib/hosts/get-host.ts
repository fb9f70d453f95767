import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import { hostVisibleTo, jobVisibleTo } from '@/lib/access/host-scope';
import { certificates, hostGroupMembers, hostGroups, hostUpdates, hosts, jobHosts, jobs } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { UUID_PATTERN } from './find-visible-host';
import { hostSummaryColumns } from './list-hosts';

/**
 * Returns one host with its facts, groups, pending updates, certificate and recent
 * jobs. Raises NotFoundError for an unknown or removed host and for a host outside an
 * Operator's groups. Recent jobs leave out jobs the actor may not see.
 */
export async function getHost(ctx: Context, input: { hostId: string }) {
  if (!UUID_PATTERN.test(input.hostId)) {
    throw new NotFoundError('host not found');
  }

  const [host] = await ctx.db
    .select({
      ...hostSummaryColumns,
      osId: hosts.osId,
      osCodename: hosts.osCodename,
      kernelRunning: hosts.kernelRunning,
      kernelNewest: hosts.kernelNewest,
      architecture: hosts.architecture,
      uptimeSeconds: hosts.uptimeSeconds,
      packageManager: hosts.packageManager,
      rebootReason: hosts.rebootReason,
      rebootPackages: hosts.rebootPackages,
      installedCount: hosts.installedCount,
      enrolledAt: hosts.enrolledAt,
      inventoryAt: hosts.inventoryAt,
    })
    .from(hosts)
    .where(and(eq(hosts.id, input.hostId), isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id)));
  if (!host) {
    throw new NotFoundError('host not found');
  }

  const [certificate, updates, recentJobs, groups] = await Promise.all([
    ctx.db
      .select({
        serial: certificates.serial,
        fingerprint: certificates.fingerprint,
        notBefore: certificates.notBefore,
        notAfter: certificates.notAfter,
        status: certificates.status,
      })
      .from(certificates)
      .where(eq(certificates.hostId, input.hostId))
      .orderBy(desc(certificates.createdAt))
      .limit(1),
    ctx.db
      .select({
        name: hostUpdates.name,
        arch: hostUpdates.arch,
        installed: hostUpdates.installed,
        candidate: hostUpdates.candidate,
        repository: hostUpdates.repository,
        security: hostUpdates.security,
        held: hostUpdates.held,
        phased: hostUpdates.phased,
        advisories: hostUpdates.advisories,
        firstSeenAt: hostUpdates.firstSeenAt,
      })
      .from(hostUpdates)
      .where(eq(hostUpdates.hostId, input.hostId))
      .orderBy(desc(hostUpdates.security), asc(hostUpdates.name)),
    ctx.db
      .select({
        id: jobs.id,
        action: jobs.action,
        dryRun: jobs.dryRun,
        status: jobs.status,
        createdAt: jobs.createdAt,
        hostStatus: jobHosts.status,
      })
      .from(jobHosts)
      .innerJoin(jobs, eq(jobs.id, jobHosts.jobId))
      .where(and(eq(jobHosts.hostId, input.hostId), jobVisibleTo(ctx.actor, jobs.id)))
      .orderBy(desc(jobs.createdAt))
      .limit(20),
    ctx.db
      .select({ id: hostGroups.id, name: hostGroups.name })
      .from(hostGroupMembers)
      .innerJoin(hostGroups, eq(hostGroups.id, hostGroupMembers.groupId))
      .where(eq(hostGroupMembers.hostId, input.hostId))
      .orderBy(asc(hostGroups.name)),
  ]);

  return { ...host, certificate: certificate[0] ?? null, updates, jobs: recentJobs, groups };
}

export type HostDetail = Awaited<ReturnType<typeof getHost>>;
