import { asc, sql } from 'drizzle-orm';
import { isScoped } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { loadGroupWindows, type MaintenanceWindowView } from './maintenance-window-view';

/** A host group with its host count and maintenance windows. */
export interface GroupWindows {
  groupId: string;
  groupName: string;
  hostCount: number;
  windows: MaintenanceWindowView[];
}

/** Maximum number of groups one list returns. */
export const MAX_LISTED_GROUPS = 1000;

/** Lists the groups the actor may see (an Operator's own groups), by name, with their windows. */
export async function listGroupsWithWindows(ctx: Context): Promise<GroupWindows[]> {
  const assigned = isScoped(ctx.actor)
    ? sql`${hostGroups.id} in (select group_id from user_group_members where user_id = ${ctx.actor.userId}::uuid)`
    : sql`true`;
  const groups = await ctx.db
    .select({
      id: hostGroups.id,
      name: hostGroups.name,
      hostCount: sql<number>`(select count(*)::int from host_group_members hgm where hgm.group_id = host_groups.id)`,
    })
    .from(hostGroups)
    .where(assigned)
    .orderBy(asc(hostGroups.name))
    .limit(MAX_LISTED_GROUPS);

  const windows = await loadGroupWindows(
    ctx.db,
    groups.map((group) => group.id),
  );
  return groups.map((group) => ({ groupId: group.id, groupName: group.name, hostCount: group.hostCount, windows: windows.get(group.id) ?? [] }));
}
