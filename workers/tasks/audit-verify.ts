import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import type { AuditPaths } from '@/lib/audit/checkpoint-files';
import { verifyAuditLog } from '@/lib/audit/verify-audit-log';

/**
 * Verifies the whole audit chain against the signed checkpoints. A broken
 * chain throws, so the task shows as failed, after the outcome is stored for
 * the dashboard banner and logged at error level.
 */
export async function runAuditVerify(ctx: Context, log: Logger, paths: AuditPaths): Promise<void> {
  const outcome = await verifyAuditLog(ctx, { paths, log, trigger: 'schedule' });
  if (!outcome.integrity) {
    throw new Error(`audit chain broken at row ${outcome.firstBroken?.id}: ${outcome.firstBroken?.reason}`);
  }
}
