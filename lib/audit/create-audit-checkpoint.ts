import { auditCheckpoints } from '@/lib/db/schema';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { appendCheckpoint, ensureCheckpointKey, readCheckpoints, type AuditPaths } from './checkpoint-files';
import { isCheckpointSignatureValid, signCheckpoint, type SignedCheckpoint } from './checkpoint-signature';
import { verifyAuditChain, type AuditVerificationResult } from './verify-audit-chain';

export type CheckpointOutcome =
  | { status: 'signed'; checkpoint: SignedCheckpoint }
  | { status: 'unchanged' | 'empty' }
  | { status: 'refused'; verification: AuditVerificationResult };

/**
 * Signs the audit chain head with the Ed25519 checkpoint key and appends it to
 * the checkpoint file outside the database, to the log and to
 * `audit_checkpoints`. It first checks the rows from the previous checkpoint
 * to the head, or the whole chain the first time. A chain that does not
 * extend the last signed one is not signed, so a rewritten chain never gets a
 * fresh signature. A head that has not moved is not signed again.
 */
export async function createAuditCheckpoint(options: { db: Database; paths: AuditPaths; log: Logger; now?: Date }): Promise<CheckpointOutcome> {
  const key = await ensureCheckpointKey(options.paths);
  const { entries } = await readCheckpoints(options.paths, { limit: 50 });
  const previous = entries.filter((entry) => isCheckpointSignatureValid(entry, key.publicKeyPem)).at(-1) ?? null;

  const verification = await verifyAuditChain(options.db, {
    from: previous ? { rowId: previous.rowId, rowHash: previous.rowHash } : null,
  });
  if (!verification.integrity) {
    options.log.error(
      { firstBroken: verification.firstBroken, previousCheckpoint: previous?.rowId ?? null },
      'audit checkpoint not signed: the chain does not extend the last signed checkpoint',
    );
    return { status: 'refused', verification };
  }

  const head = verification.lastRow;
  if (!head) return { status: 'empty' };
  if (previous && previous.rowId === head.id) return { status: 'unchanged' };

  const signedAt = (options.now ?? new Date()).toISOString();
  const checkpoint = signCheckpoint({ rowId: head.id, rowHash: head.rowHash, signedAt }, key.privateKey, key.keyId);
  await appendCheckpoint(options.paths, checkpoint);
  options.log.info({ auditCheckpoint: checkpoint }, 'audit chain head signed');

  await options.db.insert(auditCheckpoints).values({
    rowId: checkpoint.rowId,
    rowHash: checkpoint.rowHash,
    signedAt: new Date(checkpoint.signedAt),
    signature: checkpoint.signature,
    keyId: checkpoint.keyId,
  });
  return { status: 'signed', checkpoint };
}
