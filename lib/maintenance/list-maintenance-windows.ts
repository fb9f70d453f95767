import type { Context } from '@/lib/context';
import { findVisibleGroup } from './find-visible-group';
import { loadGroupWindows, type MaintenanceWindowView } from './maintenance-window-view';

/**
 * Returns the maintenance windows of a group the actor may see, in their
 * stored order. An empty list means hosts of this group are not restricted by it.
 */
export async function listMaintenanceWindows(
  ctx: Context,
  input: { groupId: string },
): Promise<{ groupId: string; groupName: string; windows: MaintenanceWindowView[] }> {
  const group = await findVisibleGroup(ctx.db, ctx.actor, input.groupId);
  const windows = await loadGroupWindows(ctx.db, [group.id]);
  return { groupId: group.id, groupName: group.name, windows: windows.get(group.id) ?? [] };
}
