import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import type { Transaction } from '@/lib/audit/write-audit';
import { findOpenWindow } from './window-times';

/** An open window that lets a host start, and when it closes. */
export interface OpenWindow {
  groupId: string;
  windowId: string;
  closesAt: Date;
}

/** Whether one host may start patching at the given time. */
export interface HostStartPermission {
  hostId: string;
  /** True when the host is in no group with windows, or one of its groups' windows is open. */
  mayStart: boolean;
  /** False when none of the host's groups has windows, so the host may start at any time. */
  restricted: boolean;
  /** The windows open now, latest closing first. */
  openWindows: OpenWindow[];
  /** When the last of the open windows closes: the job should start no new work on the host after it. Null when unrestricted or closed. */
  closesAt: Date | null;
}

/**
 * Decides which hosts may start patching at `now`. A host in no group with
 * maintenance windows may start at any time. A host in at least one such group
 * may start only while a window of one of those groups is open; groups without
 * windows do not open anything for it. Unknown host ids are returned as
 * unrestricted, so the caller's own host checks decide about them. It reads
 * only the database and the clock it is given, so the job orchestrator can call
 * it for every start decision.
 */
export async function listHostStartPermissions(
  db: Database | Transaction,
  input: { hostIds: string[]; now: Date },
): Promise<HostStartPermission[]> {
  const hostIds = [...new Set(input.hostIds.map((id) => id.toLowerCase()))];
  const permissions = new Map<string, HostStartPermission>(
    hostIds.map((hostId) => [hostId, { hostId, mayStart: true, restricted: false, openWindows: [], closesAt: null }]),
  );
  if (hostIds.length === 0) {
    return [];
  }

  const rows = await db.execute<{
    host_id: string;
    group_id: string;
    window_id: string;
    days_of_week: number[];
    start_minute: number;
    duration_minutes: number;
    time_zone: string;
  }>(sql`
    select hgm.host_id::text as host_id, mw.group_id::text as group_id, mw.id::text as window_id,
      mw.days_of_week, mw.start_minute, mw.duration_minutes, mw.time_zone
    from host_group_members hgm
    join maintenance_windows mw on mw.group_id = hgm.group_id
    where hgm.host_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(hostIds)}::jsonb))`);

  for (const row of rows) {
    const permission = permissions.get(row.host_id);
    if (!permission) {
      continue;
    }
    permission.restricted = true;
    const opening = findOpenWindow(
      { daysOfWeek: row.days_of_week, startMinute: row.start_minute, durationMinutes: row.duration_minutes, timeZone: row.time_zone },
      input.now,
    );
    if (opening) {
      permission.openWindows.push({ groupId: row.group_id, windowId: row.window_id, closesAt: opening.closesAt });
    }
  }

  for (const permission of permissions.values()) {
    permission.openWindows.sort((a, b) => b.closesAt.getTime() - a.closesAt.getTime());
    permission.mayStart = !permission.restricted || permission.openWindows.length > 0;
    permission.closesAt = permission.openWindows[0]?.closesAt ?? null;
  }
  return [...permissions.values()];
}
