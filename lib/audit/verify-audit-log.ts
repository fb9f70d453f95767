import { assertAdmin } from '@/lib/auth/assert-admin';
import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { notifyAuditFailure } from '@/lib/notifications/notify-audit-failure';
import { readCheckpointPublicKey, readCheckpoints, type AuditPaths } from './checkpoint-files';
import { verifyAuditChain, type AuditVerificationResult } from './verify-audit-chain';

/** Settings key holding the outcome of the latest verification, read by the dashboard banner. */
export const LAST_VERIFICATION_KEY = 'audit.last_verification';

export interface StoredAuditVerification extends AuditVerificationResult {
  checkedAt: string;
  durationMs: number;
  trigger: 'schedule' | 'request';
  /** Lines of the checkpoint file that could not be parsed, such as one cut short by a crash. */
  malformedCheckpointLines: number;
}

/** Stores a verification outcome as the latest one, so every process and the banner see it. */
export async function recordAuditVerification(db: Database, outcome: StoredAuditVerification): Promise<void> {
  await db.execute(sql`
    insert into settings (key, value, updated_at) values (${LAST_VERIFICATION_KEY}, ${JSON.stringify(outcome)}::jsonb, now())
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`);
}

/**
 * Verifies the whole audit chain against the latest signed checkpoints from
 * the checkpoint file, stores the outcome under LAST_VERIFICATION_KEY and logs
 * it. A failure is logged at error level, shown by the dashboard banner and
 * emailed to the notice recipients (at most once per rate window per broken row).
 */
export async function verifyAuditLog(
  ctx: Context,
  options: { paths: AuditPaths; log: Logger; trigger: StoredAuditVerification['trigger']; batchSize?: number },
): Promise<StoredAuditVerification> {
  assertAdmin(ctx);
  const started = Date.now();
  const publicKeyPem = await readCheckpointPublicKey(options.paths);
  const { entries, malformedLines } = await readCheckpoints(options.paths);
  if (entries.length > 0 && publicKeyPem === null) {
    options.log.warn({ file: options.paths.publicKeyFile }, 'audit checkpoints exist but the public key is missing; every checkpoint counts as invalid');
  }

  const result = await verifyAuditChain(ctx.db, {
    batchSize: options.batchSize,
    checkpoints: entries.length > 0 ? { publicKeyPem: publicKeyPem ?? '', entries } : null,
  });
  const outcome: StoredAuditVerification = {
    ...result,
    checkedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    trigger: options.trigger,
    malformedCheckpointLines: malformedLines,
  };
  await recordAuditVerification(ctx.db, outcome);

  const summary = { rowsChecked: outcome.rowsChecked, firstBroken: outcome.firstBroken, checkpoint: outcome.checkpoint, durationMs: outcome.durationMs, trigger: outcome.trigger };
  if (outcome.integrity) {
    options.log.info(summary, 'audit chain verified');
  } else {
    options.log.error(summary, 'audit chain verification failed');
    await notifyAuditFailure(ctx.db, { verification: outcome, log: options.log }).catch((error: unknown) =>
      options.log.error({ err: error }, 'audit verification failure notice could not be sent'),
    );
  }
  if (malformedLines > 0) {
    options.log.warn({ file: options.paths.checkpointsFile, malformedLines }, 'audit checkpoint file has malformed lines');
  }
  return outcome;
}

/** Returns the latest stored verification outcome, or null before the first one. */
export async function getLastAuditVerification(ctx: Context): Promise<StoredAuditVerification | null> {
  const [row] = await ctx.db.execute<{ value: StoredAuditVerification }>(
    sql`select value from settings where key = ${LAST_VERIFICATION_KEY}`,
  );
  return row?.value ?? null;
}
