import { and, eq, gte, like, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { escapeLike } from '@/lib/text';

/** An ISO-8601 time; without a zone it is read as UTC, as the console shows times in UTC. */
const time = z
  .string()
  .trim()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:\d{2})?$/, {
    error: 'expected an ISO-8601 time such as 2025-01-31T09:00Z',
  })
  .transform((value, refine) => {
    const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}${value.includes('T') ? '' : 'T00:00'}Z`;
    const date = new Date(zoned);
    if (Number.isNaN(date.getTime())) {
      refine.addIssue({ code: 'custom', message: 'not a valid time' });
      return z.NEVER;
    }
    return date;
  });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `at most ${max} characters` })
    .transform((value) => (value === '' ? undefined : value))
    .optional();

/**
 * Filters of the audit viewer and its exports. `actor` matches the actor label
 * or id. `action` matches exactly, or as a prefix when it ends in `*` (`job.*`).
 * `target` is `kind:id`, or a kind or an id alone. `from` is inclusive and `to`
 * exclusive.
 */
export const auditFilterInput = z
  .object({
    from: time.optional(),
    to: time.optional(),
    actor: optionalText(200),
    action: optionalText(100),
    target: optionalText(300),
  })
  .strict();

export type AuditFilter = z.output<typeof auditFilterInput>;

const FILTER_KEYS = ['from', 'to', 'actor', 'action', 'target'] as const;

/** Parses the filters from URL query parameters, ignoring other parameters such as `page`. */
export function parseAuditFilter(query: URLSearchParams): AuditFilter {
  const raw: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key);
    if (value !== null && value !== '') raw[key] = value;
  }
  return parseInput(auditFilterInput, raw, 'audit filter');
}


/** Builds the SQL condition of a filter for drizzle's `where`; undefined when the filter is empty. */
export function auditFilterCondition(filter: AuditFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.from) conditions.push(gte(auditLog.occurredAt, filter.from));
  if (filter.to) conditions.push(lt(auditLog.occurredAt, filter.to));
  if (filter.actor) conditions.push(or(eq(auditLog.actorLabel, filter.actor), eq(auditLog.actorId, filter.actor)));
  if (filter.action) {
    conditions.push(
      filter.action.endsWith('*') ? like(auditLog.action, `${escapeLike(filter.action.slice(0, -1))}%`) : eq(auditLog.action, filter.action),
    );
  }
  if (filter.target) {
    const separator = filter.target.indexOf(':');
    conditions.push(
      separator > 0
        ? and(eq(auditLog.targetKind, filter.target.slice(0, separator)), eq(auditLog.targetId, filter.target.slice(separator + 1)))
        : or(eq(auditLog.targetKind, filter.target), eq(auditLog.targetId, filter.target)),
    );
  }
  return and(...conditions);
}
