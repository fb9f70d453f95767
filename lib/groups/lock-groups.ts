import { sql } from 'drizzle-orm';
import type { Transaction } from '@/lib/audit/write-audit';
import { NotFoundError } from '@/lib/errors';

/**
 * Reads the named groups under a share lock, so none of them can be deleted or
 * renamed before the caller's transaction ends, and returns them ordered by
 * name. Raises NotFoundError on the `groupIds` field when any id is unknown.
 */
export async function lockGroups(tx: Transaction, groupIds: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (groupIds.length === 0) {
    return [];
  }

  const rows = await tx.execute<{ id: string; name: string }>(sql`
    select g.id, g.name from host_groups g
    where g.id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(groupIds)}::jsonb))
    order by g.id
    for share`);
  if (rows.length !== groupIds.length) {
    const known = new Set(rows.map((row) => row.id));
    const missing = groupIds.filter((id) => !known.has(id));
    throw new NotFoundError(`groupIds: group not found: ${missing.slice(0, 5).join(', ')}`, { field: 'groupIds' });
  }
  return [...rows].sort((a, b) => a.name.localeCompare(b.name));
}

/** Sorted names of a member list, for audit details that compare old and new. */
export function groupNames(groups: readonly { name: string }[]): string[] {
  return groups.map((group) => group.name).sort((a, b) => a.localeCompare(b));
}

/** Returns true when two sorted name lists are equal. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
