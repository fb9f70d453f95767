import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { GENESIS_HASH, hashAuditRow, OCCURRED_AT_TEXT } from './canonical';
import { isCheckpointSignatureValid, type SignedCheckpoint } from './checkpoint-signature';

/** Rows fetched per query; memory use is bounded by one batch. */
export const DEFAULT_VERIFY_BATCH_SIZE = 5000;

export interface AuditVerificationResult {
  integrity: boolean;
  rowsChecked: number;
  /** The last row checked and found intact, which is the chain head when integrity holds. */
  lastRow: { id: number; rowHash: string } | null;
  /** The first row where the chain is broken; the id may be a row that no longer exists. */
  firstBroken: { id: number; reason: string } | null;
  checkpoint: {
    /** `verified`: every given checkpoint matched; `none`: none given; `failed`: one did not match or had a bad signature. */
    status: 'verified' | 'none' | 'failed';
    /** Checkpoints with a valid signature that were compared with the chain. */
    checked: number;
    latest: { rowId: number; rowHash: string; signedAt: string } | null;
  };
}

export interface VerifyAuditChainOptions {
  batchSize?: number;
  /** Signed chain heads read from outside the database, and the public key that signed them. */
  checkpoints?: { publicKeyPem: string; entries: SignedCheckpoint[] } | null;
  /** Start at this row, trusted from an earlier check, instead of the chain's first row. */
  from?: { rowId: number; rowHash: string } | null;
}

interface ChainRow {
  id: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string;
  client_address: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  details: unknown;
  prev_hash: string;
  row_hash: string;
}

async function readBatch(db: Database, afterId: number, limit: number): Promise<ChainRow[]> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    select id::text as id, ${sql.raw(OCCURRED_AT_TEXT)} as occurred_at, actor_kind, actor_id, actor_label,
      client_address, action, target_kind, target_id, details, prev_hash, row_hash
    from audit_log where audit_log.id > ${afterId} order by audit_log.id limit ${limit}`);
  return rows as unknown as ChainRow[];
}

function rowProblem(row: ChainRow, expectedPrev: string): string | null {
  const recomputed = hashAuditRow({
    id: row.id,
    occurredAt: row.occurred_at,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    clientAddress: row.client_address,
    action: row.action,
    targetKind: row.target_kind,
    targetId: row.target_id,
    details: row.details,
    prevHash: row.prev_hash,
  });
  if (recomputed !== row.row_hash) {
    return 'row_hash does not match the row: a field of this row was changed, or rows were swapped';
  }
  if (row.prev_hash !== expectedPrev) {
    return expectedPrev === GENESIS_HASH
      ? 'prev_hash of the first row is not the genesis value: rows before it were deleted'
      : "prev_hash does not match the previous row's row_hash: a row before it was deleted or inserted, or rows were reordered";
  }
  return null;
}

/**
 * Verifies the audit hash chain in id order, streaming batches with a keyset
 * cursor so memory stays constant over millions of rows. For each row it
 * recomputes `row_hash` and checks that `prev_hash` is the previous row's
 * `row_hash`; that detects edited, deleted, inserted and swapped rows. Signed
 * checkpoints (kept outside the database) also detect what the chain alone
 * cannot: a truncated tail, and a chain recomputed from some row onwards by
 * someone who can write the table. Rows appended after the latest checkpoint
 * can still be removed unnoticed, so the checkpoint interval bounds that window.
 * Stops at the first broken row.
 */
export async function verifyAuditChain(db: Database, options: VerifyAuditChainOptions = {}): Promise<AuditVerificationResult> {
  const batchSize = options.batchSize ?? DEFAULT_VERIFY_BATCH_SIZE;
  const entries = options.checkpoints?.entries ?? [];
  const publicKeyPem = options.checkpoints?.publicKeyPem;

  const valid = entries.filter((entry) => publicKeyPem !== undefined && isCheckpointSignatureValid(entry, publicKeyPem));
  const startId = options.from?.rowId ?? 0;
  const pending = valid.filter((entry) => entry.rowId >= startId).sort((a, b) => a.rowId - b.rowId);
  const latest = valid.reduce<SignedCheckpoint | null>((best, entry) => (!best || entry.rowId > best.rowId ? entry : best), null);

  const result: AuditVerificationResult = {
    integrity: true,
    rowsChecked: 0,
    lastRow: null,
    firstBroken: null,
    checkpoint: {
      status: entries.length === 0 ? 'none' : 'verified',
      checked: valid.length,
      latest: latest ? { rowId: latest.rowId, rowHash: latest.rowHash, signedAt: latest.signedAt } : null,
    },
  };
  const fail = (id: number, reason: string, checkpointFailure = false): AuditVerificationResult => {
    result.integrity = false;
    result.firstBroken = { id, reason };
    if (checkpointFailure) result.checkpoint.status = 'failed';
    return result;
  };

  // A checkpoint with a bad signature proves nothing about the chain; it is
  // reported after the chain check unless a row breaks first.
  const forged = entries.find((entry) => !valid.includes(entry));
  if (forged) {
    result.checkpoint.status = 'failed';
  }

  let expectedPrev = options.from?.rowHash ?? GENESIS_HASH;
  let cursor = options.from ? options.from.rowId - 1 : 0;
  let anchorPending = options.from !== undefined && options.from !== null;

  for (;;) {
    const rows = await readBatch(db, cursor, batchSize);
    for (const row of rows) {
      const id = Number(row.id);
      cursor = id;

      if (anchorPending) {
        anchorPending = false;
        if (id !== options.from!.rowId || row.row_hash !== options.from!.rowHash) {
          return fail(options.from!.rowId, 'the row the check started from is missing or its row_hash changed');
        }
        result.rowsChecked += 1;
        result.lastRow = { id, rowHash: row.row_hash };
        continue;
      }

      const problem = rowProblem(row, expectedPrev);
      if (problem) return fail(id, problem);

      if (pending[0] && pending[0].rowId < id) {
        return fail(pending[0].rowId, `row ${pending[0].rowId} of the checkpoint signed at ${pending[0].signedAt} is missing: rows were deleted and the chain recomputed`, true);
      }
      if (pending[0] && pending[0].rowId === id) {
        const checkpoint = pending.shift()!;
        if (checkpoint.rowHash !== row.row_hash) {
          return fail(id, `row_hash differs from the checkpoint signed at ${checkpoint.signedAt}: the chain was rewritten up to this row`, true);
        }
        while (pending[0] && pending[0].rowId === id) {
          const duplicate = pending.shift()!;
          if (duplicate.rowHash !== row.row_hash) {
            return fail(id, `row_hash differs from the checkpoint signed at ${duplicate.signedAt}: the chain was rewritten up to this row`, true);
          }
        }
      }

      expectedPrev = row.row_hash;
      result.rowsChecked += 1;
      result.lastRow = { id, rowHash: row.row_hash };
    }
    if (rows.length < batchSize) break;
  }

  if (anchorPending) {
    return fail(options.from!.rowId, 'the row the check started from is missing');
  }
  // Every checkpoint left has a row id past the last row read.
  const truncated = pending[0];
  if (truncated) {
    return fail(truncated.rowId, `row ${truncated.rowId} of the checkpoint signed at ${truncated.signedAt} is missing: the tail of the chain was truncated`, true);
  }
  if (forged) {
    return fail(forged.rowId, `checkpoint signed at ${forged.signedAt} has an invalid signature or was signed by another key`, true);
  }
  return result;
}
