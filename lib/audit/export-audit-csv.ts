import { assertAdmin } from '@/lib/auth/assert-admin';
import { and, asc, gt, sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { auditLog } from '@/lib/db/schema';
import { auditFilterCondition, type AuditFilter } from './audit-filter';
import { canonicalJson, OCCURRED_AT_TEXT } from './canonical';

/** Rows read per query while streaming an export. */
const EXPORT_BATCH_SIZE = 1000;

export const AUDIT_CSV_COLUMNS = [
  'id',
  'occurred_at',
  'actor_kind',
  'actor_id',
  'actor_label',
  'client_address',
  'action',
  'target_kind',
  'target_id',
  'details',
  'prev_hash',
  'row_hash',
] as const;

/**
 * Formats one CSV cell (RFC 4180). A cell starting with `=`, `+`, `-`, `@`, tab
 * or carriage return gets a leading `'`, so a spreadsheet shows it as text
 * instead of running it as a formula. Such a cell then differs from the stored
 * value by that quote, which matters when recomputing hashes from an export.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * Streams the audit rows matching the filter as CSV, oldest first, reading
 * batches with a keyset cursor so memory stays constant for any size. Times
 * are UTC with microseconds and details are canonical JSON, the forms the
 * hashes are computed over.
 */
export function exportAuditCsv(ctx: Context, filter: AuditFilter): ReadableStream<Uint8Array> {
  assertAdmin(ctx);
  const encoder = new TextEncoder();
  const where = auditFilterCondition(filter);
  let cursor = 0;
  let headerSent = false;

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine([...AUDIT_CSV_COLUMNS])));
        return;
      }

      const rows = await ctx.db
        .select({
          id: auditLog.id,
          occurredAt: sql<string>`${sql.raw(OCCURRED_AT_TEXT)}`,
          actorKind: auditLog.actorKind,
          actorId: auditLog.actorId,
          actorLabel: auditLog.actorLabel,
          clientAddress: auditLog.clientAddress,
          action: auditLog.action,
          targetKind: auditLog.targetKind,
          targetId: auditLog.targetId,
          details: auditLog.details,
          prevHash: auditLog.prevHash,
          rowHash: auditLog.rowHash,
        })
        .from(auditLog)
        .where(and(where, gt(auditLog.id, cursor)))
        .orderBy(asc(auditLog.id))
        .limit(EXPORT_BATCH_SIZE);

      const text = rows
        .map((row) =>
          csvLine([
            row.id,
            row.occurredAt,
            row.actorKind,
            row.actorId,
            row.actorLabel,
            row.clientAddress,
            row.action,
            row.targetKind,
            row.targetId,
            canonicalJson(row.details),
            row.prevHash,
            row.rowHash,
          ]),
        )
        .join('');
      if (text) controller.enqueue(encoder.encode(text));

      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH_SIZE) {
        controller.close();
        return;
      }
      cursor = last.id;
    },
  });
}
