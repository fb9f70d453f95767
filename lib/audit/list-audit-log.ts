import { assertAdmin } from '@/lib/auth/assert-admin';
import { count, desc } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { auditLog } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import { auditFilterCondition, type AuditFilter } from './audit-filter';

export const MAX_AUDIT_PAGE_SIZE = 200;

export interface AuditLogRow {
  id: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string | null;
  actorLabel: string;
  clientAddress: string | null;
  action: string;
  targetKind: string | null;
  targetId: string | null;
  details: unknown;
}

/**
 * Lists audit rows matching the filter, newest first, one page at a time,
 * with the total count of matching rows. Hashes are left out: they are for
 * verification and the CSV export.
 */
export async function listAuditLog(
  ctx: Context,
  options: { filter: AuditFilter; page: number; pageSize: number },
): Promise<{ items: AuditLogRow[]; total: number }> {
  assertAdmin(ctx);
  if (options.pageSize < 1 || options.pageSize > MAX_AUDIT_PAGE_SIZE) {
    throw new ValidationError(`pageSize: expected 1 to ${MAX_AUDIT_PAGE_SIZE}`, { field: 'pageSize' });
  }
  if (options.page < 1) {
    throw new ValidationError('page: expected 1 or more', { field: 'page' });
  }
  const where = auditFilterCondition(options.filter);

  const items = await ctx.db
    .select({
      id: auditLog.id,
      occurredAt: auditLog.occurredAt,
      actorKind: auditLog.actorKind,
      actorId: auditLog.actorId,
      actorLabel: auditLog.actorLabel,
      clientAddress: auditLog.clientAddress,
      action: auditLog.action,
      targetKind: auditLog.targetKind,
      targetId: auditLog.targetId,
      details: auditLog.details,
    })
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(options.pageSize)
    .offset((options.page - 1) * options.pageSize);
  const [total] = await ctx.db.select({ value: count() }).from(auditLog).where(where);

  return { items, total: total?.value ?? 0 };
}
