import { sql } from 'drizzle-orm';
import { groupVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import type { ComplianceRow } from './compliance-by-os';
import { HOST_STATE_AGGREGATES, toHostStateCounts, type HostStateRow } from './host-state-counts';

/**
 * Computes the current compliance figures of each host group the actor may see
 * (an Operator: the groups they are assigned to), in one grouped query. A host in
 * several groups counts in each; removed hosts count in none. Groups without hosts
 * are listed with zeros, because an aggregate over no rows still returns one. Rows
 * come by group name.
 */
export async function computeComplianceByGroup(ctx: Context): Promise<ComplianceRow[]> {
  const rows = await ctx.db.execute<HostStateRow & { group_id: string; group_name: string }>(sql`
    select g.id as group_id, g.name as group_name, s.*
    from host_groups g
    cross join lateral (
      select ${HOST_STATE_AGGREGATES}
      from host_group_members m
      join hosts h on h.id = m.host_id
      where m.group_id = g.id and h.removed_at is null
    ) s
    where ${groupVisibleTo(ctx.actor, sql`g.id`)}
    order by lower(g.name), g.id`);

  return rows.map((row) => ({
    scope: 'group',
    osName: '',
    osVersion: '',
    groupId: row.group_id,
    groupName: row.group_name,
    ...toHostStateCounts(row),
  }));
}
