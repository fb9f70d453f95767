import { parseInput } from '@/lib/validation';
import { eq, sql } from 'drizzle-orm';
import { hosts } from '@/lib/db/schema';
import { textArrayLiteral } from '@/lib/db/text-array-literal';
import type { Context } from '@/lib/context';
import { NotFoundError, ValidationError } from '@/lib/errors';
import type { z } from 'zod';
import {
  INVENTORY_SECTIONS,
  inventoryReportSchema,
  type InventorySection,
  type installedPackageSchema,
  type pendingUpdateSchema,
} from '@/lib/agent-protocol/schema';

type InstalledPackage = z.infer<typeof installedPackageSchema>;
type PendingUpdate = z.infer<typeof pendingUpdateSchema>;

export interface IngestResult {
  /** Sections whose hash changed but whose body was not sent; the agent sends them next. */
  missing: InventorySection[];
  /** Sections written in this check-in. */
  written: InventorySection[];
}

type Transaction = Parameters<Parameters<Context['db']['transaction']>[0]>[0];

/**
 * Inserts the host's package list, one row per name and architecture, and returns the
 * number of rows. The list travels as one text array per column: PostgreSQL reads
 * arrays faster than the same rows as JSON, and the request is less than half the size.
 */
async function insertPackages(tx: Transaction, hostId: string, packages: InstalledPackage[]): Promise<number> {
  const column = (pick: (item: InstalledPackage) => string) => textArrayLiteral(packages.map(pick));
  const flag = (pick: (item: InstalledPackage) => boolean) => textArrayLiteral(packages.map((item) => (pick(item) ? 't' : 'f')));
  const [row] = await tx.execute<{ count: number }>(sql`
    with inserted as (
      insert into host_packages (host_id, name, arch, version, source, state, held, broken)
      select distinct on (name, arch) ${hostId}::uuid, name, arch, version, source, state, held, broken
      from unnest(${column((item) => item.name)}::text[], ${column((item) => item.arch)}::text[],
                  ${column((item) => item.version)}::text[], ${column((item) => item.source)}::text[],
                  ${column((item) => item.state)}::text[], ${flag((item) => item.held)}::text[]::boolean[],
                  ${flag((item) => item.broken)}::text[]::boolean[])
        as x(name, arch, version, source, state, held, broken)
      order by name, arch
      returning 1)
    select count(*)::int as count from inserted`);
  return row?.count ?? 0;
}

/**
 * Makes the host's pending updates exactly `updates`, keeping the first-seen time of
 * those already stored, and returns the counts for the host row.
 */
async function replaceUpdates(
  tx: Transaction,
  hostId: string,
  updates: PendingUpdate[],
): Promise<{ pendingCount: number; securityCount: number; heldCount: number }> {
  const list = JSON.stringify(updates);
  await tx.execute(sql`
    delete from host_updates u where u.host_id = ${hostId} and not exists (
      select 1 from jsonb_to_recordset(${list}::jsonb) as x(name text, arch text)
      where x.name = u.name and x.arch = u.arch)`);
  // After the delete above, the upserted rows are exactly the host's pending updates, so they give the counts.
  const [row] = await tx.execute<{ pending: number; security: number; held: number }>(sql`
    with upserted as (
      insert into host_updates (host_id, name, arch, installed, candidate, repository, security, held, phased, advisories)
      select distinct on (name, arch) ${hostId}::uuid, name, arch, installed, candidate, repository, security, held, phased,
        coalesce(array(select jsonb_array_elements_text(advisories)), '{}')
      from jsonb_to_recordset(${list}::jsonb)
        as x(name text, arch text, installed text, candidate text, repository text,
             security boolean, held boolean, phased boolean, advisories jsonb)
      order by name, arch
      on conflict (host_id, name, arch) do update set
        installed = excluded.installed, candidate = excluded.candidate, repository = excluded.repository,
        security = excluded.security, held = excluded.held, phased = excluded.phased,
        advisories = excluded.advisories
      returning security, held)
    select count(*)::int as pending,
           (count(*) filter (where security))::int as security,
           (count(*) filter (where held))::int as held
    from upserted`);
  return { pendingCount: row?.pending ?? 0, securityCount: row?.security ?? 0, heldCount: row?.held ?? 0 };
}

/**
 * Stores one agent check-in. The host comes from the agent's certificate (the
 * actor), never from the payload. Each section is written only when its hash
 * differs from the stored one, and each write is one set-based statement over
 * the whole list, so a 1,500-package inventory costs a handful of statements and
 * one update of the host row.
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

    // Every change to the host row goes into one UPDATE at the end: each UPDATE writes a new
    // row version and its index entries, and a full report used to cost five of them.
    const changes: Partial<typeof hosts.$inferInsert> = {};

    if (written.includes('facts') && report.facts) {
      const facts = report.facts;
      Object.assign(changes, {
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
      });
    }

    if (written.includes('packages') && report.packages) {
      // Rows can exist while the stored hash is null, so the delete runs on every package write.
      await tx.execute(sql`delete from host_packages where host_id = ${hostId}`);
      changes.installedCount = await insertPackages(tx, hostId, report.packages);
      changes.packagesHash = report.hashes.packages;
    }

    if (written.includes('updates') && report.updates) {
      Object.assign(changes, await replaceUpdates(tx, hostId, report.updates), { updatesHash: report.hashes.updates });
    }

    if (written.includes('reboot') && report.reboot) {
      Object.assign(changes, {
        rebootRequired: report.reboot.required,
        rebootReason: report.reboot.reason,
        rebootPackages: report.reboot.packages,
        rebootHash: report.hashes.reboot,
      });
    }

    const now = new Date();
    await tx
      .update(hosts)
      .set({ ...changes, lastSeenAt: now, status: 'online', ...(written.length > 0 ? { inventoryAt: now } : {}) })
      .where(eq(hosts.id, hostId));

    return { missing, written };
  });
}
