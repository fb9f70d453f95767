'use server';

import { revalidatePath } from 'next/cache';
import { auditPaths } from '@/lib/audit/checkpoint-files';
import { verifyAuditLog } from '@/lib/audit/verify-audit-log';
import { consoleContext } from '@/lib/console-context';
import { getRuntime } from '@/lib/runtime';

export interface AuditVerifyState {
  result?: {
    integrity: boolean;
    rowsChecked: number;
    firstBroken: { id: number; reason: string } | null;
    checkpointStatus: 'verified' | 'none' | 'failed';
    checkedAt: string;
    durationMs: number;
  };
}

/** Verifies the audit chain on request from the audit page and returns a summary for display. */
export async function verifyAuditAction(_previous: AuditVerifyState): Promise<AuditVerifyState> {
  const runtime = getRuntime();
  const ctx = await consoleContext();
  const outcome = await verifyAuditLog(ctx, { paths: auditPaths(runtime.config), log: runtime.log, trigger: 'request' });
  revalidatePath('/audit');
  return {
    result: {
      integrity: outcome.integrity,
      rowsChecked: outcome.rowsChecked,
      firstBroken: outcome.firstBroken,
      checkpointStatus: outcome.checkpoint.status,
      checkedAt: outcome.checkedAt,
      durationMs: outcome.durationMs,
    },
  };
}
