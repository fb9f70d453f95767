import { and, eq, type SQL } from 'drizzle-orm';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { schedules } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import type { Transaction } from '@/lib/audit/write-audit';
import { scheduleVisibleTo } from './schedule-scope';
import { scheduleColumns, toScheduleView, type ScheduleView } from './schedule-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads a schedule the actor may see, optionally locking its row for the rest
 * of the transaction. A malformed id, a missing schedule and one outside the
 * actor's scope all raise the same NotFoundError.
 */
export async function findVisibleSchedule(
  db: Database | Transaction,
  actor: Actor,
  scheduleId: string,
  options: { lock?: boolean } = {},
): Promise<ScheduleView> {
  if (!UUID.test(scheduleId)) {
    throw new NotFoundError(`schedule not found: ${scheduleId.slice(0, 64)}`);
  }

  const condition: SQL = and(eq(schedules.id, scheduleId), scheduleVisibleTo(actor))!;
  const query = db.select(scheduleColumns).from(schedules).where(condition);
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) {
    throw new NotFoundError(`schedule not found: ${scheduleId}`);
  }
  return toScheduleView(row);
}
