import { sql, type SQL } from 'drizzle-orm';
import { groupVisibleTo, isScoped } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import type { ComplianceRow } from './compliance-by-os';
import { toHostStateCounts, type HostStateRow } from './host-state-counts';
import type { ReportPeriod } from './report-period';

/** A stored snapshot row with its day and the time it was taken. */
export interface ComplianceSnapshotRow extends ComplianceRow {
  /** The UTC day, YYYY-MM-DD. */
  snapshotDate: string;
  takenAt: Date;
}

/** Selection of rows to read: the overall series, one OS release, one host group, or every row. */
export type ComplianceSeries = 'overall' | 'all' | { osName: string; osVersion: string } | { groupId: string };

/**
 * Reads the stored compliance snapshots of a period, oldest day first; within
 * a day the overall row comes first, then OS rows by name and version, then group
 * rows by name. Days without a snapshot are absent, because the worker was not
 * running then.
 *
 * Overall and OS rows count the whole fleet, so an Operator gets only the group
 * rows of their own groups: the overall and OS series are empty for them.
 */
export async function listComplianceHistory(
  ctx: Context,
  options: { period: ReportPeriod; series: ComplianceSeries },
): Promise<ComplianceSnapshotRow[]> {
  const { period, series } = options;
  let filter: SQL = sql`true`;
  if (series === 'overall') {
    filter = sql`scope = 'overall'`;
  } else if (series !== 'all' && 'groupId' in series) {
    filter = sql`scope = 'group' and group_id = ${series.groupId}::uuid`;
  } else if (series !== 'all') {
    filter = sql`scope = 'os' and os_name = ${series.osName} and os_version = ${series.osVersion}`;
  }
  const scope = isScoped(ctx.actor) ? sql`scope = 'group' and ${groupVisibleTo(ctx.actor, sql`group_id`)}` : sql`true`;

  const rows = await ctx.db.execute<
    HostStateRow & {
      snapshot_date: string;
      taken_at: string;
      scope: ComplianceRow['scope'];
      os_name: string;
      os_version: string;
      group_id: string | null;
      group_name: string;
    }
  >(sql`
    select to_char(snapshot_date, 'YYYY-MM-DD') as snapshot_date, taken_at, scope, os_name, os_version, group_id, group_name,
      hosts, up_to_date, behind, offline, awaiting_inventory, with_security, reboot_pending
    from compliance_snapshots
    where snapshot_date between ${period.from}::date and ${period.to}::date and ${filter} and ${scope}
    order by snapshot_date, case scope when 'overall' then 0 when 'os' then 1 else 2 end, os_name, os_version, lower(group_name), group_id`);

  return rows.map((row) => ({
    snapshotDate: row.snapshot_date,
    takenAt: new Date(row.taken_at),
    scope: row.scope,
    osName: row.os_name,
    osVersion: row.os_version,
    groupId: row.group_id,
    groupName: row.group_name,
    ...toHostStateCounts(row),
  }));
}
