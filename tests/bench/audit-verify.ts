import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { canonicalJson, GENESIS_HASH, hashAuditRow } from '@/lib/audit/canonical';
import { verifyAuditChain } from '@/lib/audit/verify-audit-chain';
import type { DatabaseHandle } from '@/lib/db/client';

export interface AuditVerifyBenchmark {
  name: string;
  rows: number;
  batchSize: number;
  loadSeconds: number;
  verifySeconds: number;
  rowsPerSecond: number;
  integrity: boolean;
}

const ACTIONS = ['job.create', 'job.finish', 'host.enroll', 'enrollment_token.create', 'settings.update'];

/**
 * Yields COPY text-format lines for `count` chained audit rows, 5,000 rows per
 * chunk. The hashes come from the application's own hashAuditRow, so the
 * verifier must accept the chain. No field contains a tab, newline or
 * backslash, so no COPY escaping is needed.
 */
function* chainLines(count: number): Generator<string> {
  const start = Date.UTC(2025, 0, 1);
  let prevHash = GENESIS_HASH;
  let chunk = '';
  for (let index = 1; index <= count; index += 1) {
    const occurredAt = `${new Date(start + index * 1000).toISOString().slice(0, 23)}000Z`;
    const action = ACTIONS[index % ACTIONS.length]!;
    const details = { hostCount: index % 50, action: 'security', dryRun: index % 7 === 0 };
    const fields = {
      id: String(index),
      occurredAt,
      actorKind: 'console',
      actorId: null,
      actorLabel: 'console@127.0.0.1',
      clientAddress: '127.0.0.1',
      action,
      targetKind: 'job',
      targetId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      details,
      prevHash,
    };
    const rowHash = hashAuditRow(fields);
    chunk += [fields.id, occurredAt, 'console', '\\N', fields.actorLabel, fields.clientAddress, action, 'job', fields.targetId,
      canonicalJson(details), prevHash, rowHash].join('\t') + '\n';
    prevHash = rowHash;
    if (index % 5000 === 0 || index === count) {
      yield chunk;
      chunk = '';
    }
  }
}

/** Loads a chain of `rows` rows with COPY, then times a full verification with `batchSize`. */
export async function runAuditVerifyBenchmark(database: DatabaseHandle, options: { rows: number; batchSizes: number[] }): Promise<AuditVerifyBenchmark[]> {
  const { sql } = database;
  await sql`truncate audit_log restart identity`;

  const loadStarted = performance.now();
  const copy = await sql`copy audit_log (id, occurred_at, actor_kind, actor_id, actor_label, client_address, action,
    target_kind, target_id, details, prev_hash, row_hash) from stdin`.writable();
  await pipeline(Readable.from(chainLines(options.rows)), copy);
  await sql`select setval(pg_get_serial_sequence('audit_log', 'id'), ${options.rows})`;
  await sql`analyze audit_log`;
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const results: AuditVerifyBenchmark[] = [];
  for (const batchSize of options.batchSizes) {
    const started = performance.now();
    const result = await verifyAuditChain(database.db, { batchSize });
    const verifySeconds = (performance.now() - started) / 1000;
    results.push({
      name: 'audit chain verification',
      rows: result.rowsChecked,
      batchSize,
      loadSeconds: Number(loadSeconds.toFixed(2)),
      verifySeconds: Number(verifySeconds.toFixed(2)),
      rowsPerSecond: Math.round(result.rowsChecked / verifySeconds),
      integrity: result.integrity,
    });
  }
  return results;
}
