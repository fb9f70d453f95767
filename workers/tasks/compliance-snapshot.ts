import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { takeComplianceSnapshot } from '@/lib/reports/take-compliance-snapshot';

/**
 * Stores the day's compliance snapshot unless one exists already, so the
 * daily schedule and a worker start on the same day write it once.
 */
export async function runComplianceSnapshot(ctx: Context, log: Logger): Promise<void> {
  const outcome = await takeComplianceSnapshot(ctx);
  if (outcome.taken) {
    log.info({ snapshotDate: outcome.snapshotDate, rows: outcome.rows }, 'compliance snapshot taken');
  }
}
