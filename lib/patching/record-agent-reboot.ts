import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { PatchOutcomeMessage } from '@/lib/agent-protocol/schema';
import type { Context } from '@/lib/context';
import { hosts, jobHosts } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/errors';
import { notifyJobEvent } from '@/lib/realtime/channels';
import type { Transaction } from '@/lib/audit/write-audit';
import { advanceJob } from './advance-job';
import { lockJob } from './lock-job';

function agentHostId(ctx: Context): string {
  if (ctx.actor.kind !== 'agent') {
    throw new ForbiddenError('only an enrolled agent can report a reboot');
  }
  return ctx.actor.hostId;
}

/**
 * Stores the agent's patch result and marks its host `rebooting`, with the boot id the
 * host had before the reboot. The host completes when the agent reconnects with another
 * boot id ({@link completeRebootedHosts}), or fails with `reboot-timeout` in the worker
 * sweep. When the host already reconnected with a new boot id before this message was
 * handled, it completes at once. Returns false when the host's part is not open.
 */
export async function recordJobRebooting(ctx: Context, jobId: string, bootId: string, outcome: PatchOutcomeMessage): Promise<boolean> {
  const hostId = agentHostId(ctx);

  return ctx.db.transaction(async (tx) => {
    await lockJob(tx, jobId);
    const updated = await tx
      .update(jobHosts)
      .set({
        status: 'rebooting',
        exitCode: outcome.exitCode,
        changes: outcome.changes,
        rebootRequired: outcome.reboot.required,
        startedAt: sql`coalesce(${jobHosts.startedAt}, now())`,
        durationMs: outcome.durationMs,
        rebootBootId: bootId,
        rebootStartedAt: new Date(),
      })
      .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, hostId), inArray(jobHosts.status, ['pending', 'sent', 'running'])))
      .returning({ hostId: jobHosts.hostId });
    if (updated.length === 0) return false;
    await notifyJobEvent(tx, { kind: 'host', jobId, hostId });

    const [host] = await tx.select({ bootId: hosts.bootId }).from(hosts).where(eq(hosts.id, hostId));
    if (host?.bootId && host.bootId !== bootId) {
      await completeRebooted(tx, jobId, hostId, host.bootId);
    }
    return true;
  });
}

/**
 * Records the boot id the agent reported on connecting. Every job of this host that
 * waits for the host to return with a boot id other than its one before the reboot
 * completes as succeeded with a reboot. The same boot id means the agent restarted
 * without a reboot, so those jobs keep waiting. Returns the ids of the completed jobs.
 */
export async function completeRebootedHosts(ctx: Context, bootId: string): Promise<string[]> {
  const hostId = agentHostId(ctx);
  await ctx.db.update(hosts).set({ bootId }).where(eq(hosts.id, hostId));

  const waiting = await ctx.db
    .select({ jobId: jobHosts.jobId })
    .from(jobHosts)
    .where(and(eq(jobHosts.hostId, hostId), eq(jobHosts.status, 'rebooting'), ne(jobHosts.rebootBootId, bootId)));

  const completed: string[] = [];
  for (const { jobId } of waiting) {
    const done = await ctx.db.transaction(async (tx) => {
      await lockJob(tx, jobId);
      return completeRebooted(tx, jobId, hostId, bootId);
    });
    if (done) completed.push(jobId);
  }
  return completed;
}

async function completeRebooted(tx: Transaction, jobId: string, hostId: string, bootId: string): Promise<boolean> {
  const updated = await tx
    .update(jobHosts)
    .set({ status: 'succeeded', rebootedAt: new Date(), finishedAt: new Date() })
    .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, hostId), eq(jobHosts.status, 'rebooting'), ne(jobHosts.rebootBootId, bootId)))
    .returning({ hostId: jobHosts.hostId });
  if (updated.length === 0) return false;

  await notifyJobEvent(tx, { kind: 'host', jobId, hostId });
  await advanceJob(tx, jobId);
  return true;
}
