import { parseInput } from '@/lib/validation';
import { eq, sql } from 'drizzle-orm';
import { hosts } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { NotFoundError, ValidationError } from '@/lib/errors';
import {
  INVENTORY_SECTIONS,
  inventoryReportSchema,
  type InventorySection,
} from '@/lib/agent-protocol/schema';

export interface IngestResult {
  /** Sections whose hash changed but whose body was not sent; the agent sends them next. */
  missing: InventorySection[];
  /** Sections written in this check-in. */
  written: InventorySection[];
}

/**
 * Stores one agent check-in. The host comes from the agent's certificate (the
 * actor), never from the payload. Each section is written only when its hash
 * differs from the stored one, and each write is one set-based statement over
 * the whole list, so a 1,500-package inventory costs a handful of statements.
 */
export async function ingestInventory(ctx: Context, input: unknown): Promise<IngestResult> {
  if (ctx.actor.kind !== 'agent') {
    throw new ValidationError('inventory can only be reported by an enrolled agent');
  }
  const hostId = ctx.actor.hostId;
  const report = parseInput(inventoryReportSchema, input, 'inventory');

  return ctx.db.transaction(async (tx) => {
    const [stored] = await tx
      .select({
        facts: hosts.factsHash,
        packages: hosts.packagesHash,
        updates: hosts.updatesHash,
        reboot: hosts.rebootHash,
      })
      .from(hosts)
      .where(eq(hosts.id, hostId))
      .for('update');
    if (!stored) {
      throw new NotFoundError('host not found; it may have been removed, so enroll it again');
    }

    const missing: InventorySection[] = [];
    const written: InventorySection[] = [];
    for (const section of INVENTORY_SECTIONS) {
      if (report.hashes[section] === stored[section]) continue;
      if (report[section] === undefined) {
        missing.push(section);
      } else {
        written.push(section);
      }
    }

    if (written.includes('facts') && report.facts) {
      const facts = report.facts;
      await tx
        .update(hosts)
        .set({
          hostname: facts.hostname,
          osId: facts.osId,
          osName: facts.osName,
          osVersion: facts.osVersion,
          osCodename: facts.osCodename,
          kernelRunning: facts.kernelRunning,
          kernelNewest: facts.kernelNewest,
          architecture: facts.architecture,
          uptimeSeconds: facts.uptimeSeconds,
          ipAddresses: facts.ipAddresses,
          agentVersion: facts.agentVersion,
          packageManager: facts.packageManager,
          factsHash: report.hashes.facts,
        })
        .where(eq(hosts.id, hostId));
    }

    if (written.includes('packages') && report.packages) {
      await tx.execute(sql`delete from host_packages where host_id = ${hostId}`);
      // The count comes from the inserted rows, which saves a statement and an index scan per check-in.
      await tx.execute(sql`
        with inserted as (
          insert into host_packages (host_id, name, arch, version, source, state, held, broken)
          select distinct on (name, arch) ${hostId}::uuid, name, arch, version, source, state, held, broken
          from jsonb_to_recordset(${JSON.stringify(report.packages)}::jsonb)
            as x(name text, arch text, version text, source text, state text, held boolean, broken boolean)
          order by name, arch
          returning 1)
        update hosts set packages_hash = ${report.hashes.packages}, installed_count = (select count(*) from inserted)
        where id = ${hostId}`);
    }

    if (written.includes('updates') && report.updates) {
      const updates = JSON.stringify(report.updates);
      await tx.execute(sql`
        delete from host_updates u where u.host_id = ${hostId} and not exists (
          select 1 from jsonb_to_recordset(${updates}::jsonb) as x(name text, arch text)
          where x.name = u.name and x.arch = u.arch)`);
      // After the delete above, the upserted rows are exactly the host's pending updates, so they give the counts.
      await tx.execute(sql`
        with upserted as (
          insert into host_updates (host_id, name, arch, installed, candidate, repository, security, held, phased, advisories)
          select distinct on (name, arch) ${hostId}::uuid, name, arch, installed, candidate, repository, security, held, phased,
            coalesce(array(select jsonb_array_elements_text(advisories)), '{}')
          from jsonb_to_recordset(${updates}::jsonb)
            as x(name text, arch text, installed text, candidate text, repository text,
                 security boolean, held boolean, phased boolean, advisories jsonb)
          order by name, arch
          on conflict (host_id, name, arch) do update set
            installed = excluded.installed, candidate = excluded.candidate, repository = excluded.repository,
            security = excluded.security, held = excluded.held, phased = excluded.phased,
            advisories = excluded.advisories
          returning security, held)
        update hosts set updates_hash = ${report.hashes.updates},
          pending_count = c.pending, security_count = c.security, held_count = c.held
        from (select count(*) as pending,
                     count(*) filter (where security) as security,
                     count(*) filter (where held) as held
              from upserted) c
        where id = ${hostId}`);
    }

    if (written.includes('reboot') && report.reboot) {
      await tx
        .update(hosts)
        .set({
          rebootRequired: report.reboot.required,
          rebootReason: report.reboot.reason,
          rebootPackages: report.reboot.packages,
          rebootHash: report.hashes.reboot,
        })
        .where(eq(hosts.id, hostId));
    }

    const now = new Date();
    await tx
      .update(hosts)
      .set({ lastSeenAt: now, status: 'online', ...(written.length > 0 ? { inventoryAt: now } : {}) })
      .where(eq(hosts.id, hostId));

    return { missing, written };
  });
}
