import { sql } from 'drizzle-orm';
import { hostVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { HOST_STATE_AGGREGATES, toHostStateCounts, type HostStateCounts, type HostStateRow } from './host-state-counts';

/**
 * Compliance figures of one OS release, one host group, or every host the actor
 * may see when `scope` is 'overall'.
 */
export interface ComplianceRow extends HostStateCounts {
  scope: 'overall' | 'os' | 'group';
  /** Empty for overall and group rows and for hosts that have not reported their OS yet. */
  osName: string;
  osVersion: string;
  /** The group of a group row; null for the other scopes. */
  groupId: string | null;
  /** The group's name (at snapshot time for stored rows); empty for the other scopes. */
  groupName: string;
}

/**
 * Computes the current compliance figures per OS name and version, plus one
 * overall row, in one grouped query over the hosts the actor may see (GROUPING
 * SETS). The overall row comes first, then the OS rows by host count, largest
 * first. computeComplianceByGroup gives the per-group figures.
 */
export async function computeComplianceByOs(ctx: Context): Promise<ComplianceRow[]> {
  const rows = await ctx.db.execute<HostStateRow & { overall: boolean; os_name: string | null; os_version: string | null }>(sql`
    select grouping(h.os_name, h.os_version) <> 0 as overall, h.os_name, h.os_version, ${HOST_STATE_AGGREGATES}
    from hosts h
    where h.removed_at is null and ${hostVisibleTo(ctx.actor, sql`h.id`)}
    group by grouping sets ((h.os_name, h.os_version), ())
    order by overall desc, hosts desc, h.os_name, h.os_version`);

  return rows.map((row) => ({
    scope: row.overall ? 'overall' : 'os',
    osName: row.overall ? '' : (row.os_name ?? ''),
    osVersion: row.overall ? '' : (row.os_version ?? ''),
    groupId: null,
    groupName: '',
    ...toHostStateCounts(row),
  }));
}
