import { eq } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { maintenanceWindows } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { findVisibleGroup } from './find-visible-group';
import { setMaintenanceWindowsInput, type SetMaintenanceWindowsInput } from './maintenance-window-input';
import { loadGroupWindows, type MaintenanceWindowView } from './maintenance-window-view';

/**
 * Replaces the maintenance windows of a group (Admin only) and records
 * `maintenance_window.update` with the old and new lists, in one transaction.
 * An empty list removes the group's restriction. Raises ForbiddenError for
 * non-Admins, NotFoundError for an unknown group and ValidationError naming
 * the field, such as `windows.0.startTime`.
 */
export async function setMaintenanceWindows(
  ctx: Context,
  input: { groupId: string; request: SetMaintenanceWindowsInput },
): Promise<{ groupId: string; windows: MaintenanceWindowView[] }> {
  assertAdmin(ctx);
  const request = parseInput(setMaintenanceWindowsInput, input.request, 'maintenance windows');

  return ctx.db.transaction(async (tx) => {
    const group = await findVisibleGroup(tx, ctx.actor, input.groupId, { lock: true });
    const before = (await loadGroupWindows(tx, [group.id])).get(group.id) ?? [];

    await tx.delete(maintenanceWindows).where(eq(maintenanceWindows.groupId, group.id));
    if (request.windows.length > 0) {
      await tx.insert(maintenanceWindows).values(
        request.windows.map((window, position) => ({
          groupId: group.id,
          daysOfWeek: window.daysOfWeek,
          startMinute: window.startTime,
          durationMinutes: window.durationMinutes,
          timeZone: window.timeZone,
          position,
        })),
      );
    }
    const after = (await loadGroupWindows(tx, [group.id])).get(group.id) ?? [];

    const describe = (windows: MaintenanceWindowView[]) => windows.map(({ id: _id, ...window }) => window);
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'maintenance_window.update',
      target: { kind: 'group', id: group.id },
      details: { group: group.name, old: describe(before), new: describe(after) },
    });
    return { groupId: group.id, windows: after };
  });
}
