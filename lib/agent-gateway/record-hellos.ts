import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { claimDispatchableJobs, type DispatchItem } from '@/lib/patching/list-dispatchable-jobs';
import { completeRebootedHosts } from '@/lib/patching/record-agent-reboot';

/** Fields of one agent's hello message that the batch records. */
export interface HelloEntry {
  hostId: string;
  address: string;
  agentVersion: string;
  bootId?: string;
}

/**
 * Records the hellos of many agents at once and claims their open jobs. One
 * statement marks the hosts online, but only those with an active certificate,
 * so a hello sent during a revocation does not mark its host online again.
 * One statement stores the boot ids and finds hosts waiting for a reboot, and
 * one claims jobs. Hosts that finished a reboot are completed one by one,
 * because each completion advances its job. A failure is logged with the host
 * ids and yields no jobs. Each statement is atomic, and the next hello or sweep
 * retries. Returns the claimed jobs, in claim order, for the caller to push
 * down each channel.
 */
export async function recordHellos(db: Database, log: Logger, entries: readonly HelloEntry[]): Promise<DispatchItem[]> {
  if (entries.length === 0) return [];
  const hostIds = entries.map((entry) => entry.hostId);
  const rows = JSON.stringify(entries.map((entry) => ({ id: entry.hostId, agent_version: entry.agentVersion, boot_id: entry.bootId ?? null })));

  try {
    await db.execute(sql`
      update hosts set connected_at = now(), last_seen_at = now(), status = 'online', agent_version = v.agent_version
      from jsonb_to_recordset(${rows}::jsonb) as v(id uuid, agent_version text, boot_id text)
      where hosts.id = v.id
        and exists (select 1 from certificates c where c.host_id = hosts.id and c.status = 'active')`);

    const booted = entries.filter((entry) => entry.bootId);
    if (booted.length > 0) {
      const waiting = await db.execute<{ host_id: string }>(sql`
        with v as (select * from jsonb_to_recordset(${rows}::jsonb) as v(id uuid, agent_version text, boot_id text) where boot_id is not null),
        stored as (update hosts set boot_id = v.boot_id from v where hosts.id = v.id returning hosts.id)
        select distinct h.host_id from job_hosts h join v on v.id = h.host_id
        where h.status = 'rebooting' and h.reboot_boot_id <> v.boot_id`);
      for (const { host_id: hostId } of waiting) {
        const entry = booted.find((candidate) => candidate.hostId === hostId);
        if (!entry?.bootId) continue;
        try {
          await completeRebootedHosts({ actor: { kind: 'agent', hostId, address: entry.address }, db }, entry.bootId);
        } catch (error) {
          log.error({ hostId, err: error }, 'failed to complete the reboot of an agent host');
        }
      }
    }

    return await claimDispatchableJobs(db, { hostIds });
  } catch (error) {
    log.error({ hostIds, err: error }, 'failed to record agent hellos');
    return [];
  }
}
