import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { HOST_STATE_AGGREGATES } from './host-state-counts';

/** Advisory lock key that serialises snapshot writers, so two workers cannot both take one day's snapshot. */
const SNAPSHOT_LOCK = 7_301_301;

export interface SnapshotOutcome {
  /** The UTC day of the snapshot, YYYY-MM-DD. */
  snapshotDate: string;
  /** False when a snapshot of the day existed and `replace` was not set. */
  taken: boolean;
  /** Rows written: one per OS release, one per host group, plus the overall row. */
  rows: number;
}

/**
 * Stores the current compliance figures of the whole fleet (overall, per OS
 * release and per host group) as the snapshot of the current UTC day, in two
 * INSERT … SELECT statements. It counts every host whatever the actor, because
 * only the worker takes snapshots and readers filter them by scope. When
 * the day already has a snapshot, nothing happens unless `replace` is set; then
 * the day's rows are deleted and written anew, so an OS that disappeared
 * during the day leaves no stale row. Runs in one transaction.
 */
export async function takeComplianceSnapshot(
  ctx: Context,
  options: { now?: Date; replace?: boolean } = {},
): Promise<SnapshotOutcome> {
  const now = (options.now ?? new Date()).toISOString();

  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SNAPSHOT_LOCK})`);
    const [day] = await tx.execute<{ snapshot_date: string; exists: boolean }>(sql`
      select to_char(${now}::timestamptz at time zone 'UTC', 'YYYY-MM-DD') as snapshot_date,
        exists (
          select 1 from compliance_snapshots
          where snapshot_date = (${now}::timestamptz at time zone 'UTC')::date
        ) as exists`);
    const snapshotDate = day!.snapshot_date;

    if (day!.exists && !options.replace) {
      return { snapshotDate, taken: false, rows: 0 };
    }

    await tx.execute(sql`delete from compliance_snapshots where snapshot_date = ${snapshotDate}::date`);
    const inserted = await tx.execute<{ id: number }>(sql`
      insert into compliance_snapshots (snapshot_date, taken_at, scope, os_name, os_version,
        hosts, up_to_date, behind, offline, awaiting_inventory, with_security, reboot_pending)
      select ${snapshotDate}::date, ${now}::timestamptz,
        case when s.overall then 'overall' else 'os' end,
        case when s.overall then '' else s.os_name end,
        case when s.overall then '' else s.os_version end,
        s.hosts, s.up_to_date, s.behind, s.offline, s.awaiting_inventory, s.with_security, s.reboot_pending
      from (
        select grouping(h.os_name, h.os_version) <> 0 as overall, h.os_name, h.os_version, ${HOST_STATE_AGGREGATES}
        from hosts h
        where h.removed_at is null
        group by grouping sets ((h.os_name, h.os_version), ())
      ) s
      returning id`);
    const groupRows = await tx.execute<{ id: number }>(sql`
      insert into compliance_snapshots (snapshot_date, taken_at, scope, group_id, group_name,
        hosts, up_to_date, behind, offline, awaiting_inventory, with_security, reboot_pending)
      select ${snapshotDate}::date, ${now}::timestamptz, 'group', g.id, g.name,
        s.hosts, s.up_to_date, s.behind, s.offline, s.awaiting_inventory, s.with_security, s.reboot_pending
      from host_groups g
      cross join lateral (
        select ${HOST_STATE_AGGREGATES}
        from host_group_members m
        join hosts h on h.id = m.host_id
        where m.group_id = g.id and h.removed_at is null
      ) s
      returning id`);

    return { snapshotDate, taken: true, rows: inserted.length + groupRows.length };
  });
}
