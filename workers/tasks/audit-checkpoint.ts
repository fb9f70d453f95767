import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import type { AuditPaths } from '@/lib/audit/checkpoint-files';
import { createAuditCheckpoint } from '@/lib/audit/create-audit-checkpoint';
import { recordAuditVerification } from '@/lib/audit/verify-audit-log';

/**
 * Signs the audit chain head. When the chain no longer extends the last
 * checkpoint, nothing is signed: the failure is stored for the dashboard
 * banner and the task throws.
 */
export async function runAuditCheckpoint(ctx: Context, log: Logger, paths: AuditPaths): Promise<void> {
  const outcome = await createAuditCheckpoint({ db: ctx.db, paths, log });
  if (outcome.status !== 'refused') {
    return;
  }

  await recordAuditVerification(ctx.db, {
    ...outcome.verification,
    checkedAt: new Date().toISOString(),
    durationMs: 0,
    trigger: 'schedule',
    malformedCheckpointLines: 0,
  });
  throw new Error(
    `audit checkpoint not signed: chain broken at row ${outcome.verification.firstBroken?.id} (${outcome.verification.firstBroken?.reason})`,
  );
}
