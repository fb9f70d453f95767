import { asc, inArray } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { maintenanceWindows } from '@/lib/db/schema';
import type { Transaction } from '@/lib/audit/write-audit';
import { formatMinuteOfDay } from './window-times';

/** A maintenance window as the API returns it; `startTime` is HH:MM local time. */
export interface MaintenanceWindowView {
  id: string;
  daysOfWeek: number[];
  startTime: string;
  durationMinutes: number;
  timeZone: string;
}

/** Loads the windows of the given groups in their stored order, keyed by group id. */
export async function loadGroupWindows(db: Database | Transaction, groupIds: string[]): Promise<Map<string, MaintenanceWindowView[]>> {
  const byGroup = new Map<string, MaintenanceWindowView[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) {
    return byGroup;
  }

  const rows = await db
    .select({
      id: maintenanceWindows.id,
      groupId: maintenanceWindows.groupId,
      daysOfWeek: maintenanceWindows.daysOfWeek,
      startMinute: maintenanceWindows.startMinute,
      durationMinutes: maintenanceWindows.durationMinutes,
      timeZone: maintenanceWindows.timeZone,
    })
    .from(maintenanceWindows)
    .where(inArray(maintenanceWindows.groupId, groupIds))
    .orderBy(asc(maintenanceWindows.groupId), asc(maintenanceWindows.position));
  for (const row of rows) {
    byGroup.get(row.groupId)?.push({
      id: row.id,
      daysOfWeek: row.daysOfWeek,
      startTime: formatMinuteOfDay(row.startMinute),
      durationMinutes: row.durationMinutes,
      timeZone: row.timeZone,
    });
  }
  return byGroup;
}
