import { and, eq, sql } from 'drizzle-orm';
import { isScoped } from '@/lib/access/host-scope';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { hostGroups } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import type { Transaction } from '@/lib/audit/write-audit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads a host group the actor may see: any group for unscoped actors, and for
 * an Operator only a group they are assigned to. Anything else, including a
 * malformed id, raises the same NotFoundError. `lock` locks the group row until
 * the transaction ends, so concurrent replacements of its windows run one after another.
 */
export async function findVisibleGroup(
  db: Database | Transaction,
  actor: Actor,
  groupId: string,
  options: { lock?: boolean } = {},
): Promise<{ id: string; name: string }> {
  if (!UUID.test(groupId)) {
    throw new NotFoundError(`group not found: ${groupId.slice(0, 64)}`);
  }

  const assigned = isScoped(actor)
    ? sql`${hostGroups.id} in (select group_id from user_group_members where user_id = ${actor.userId}::uuid)`
    : sql`true`;
  const query = db.select({ id: hostGroups.id, name: hostGroups.name }).from(hostGroups).where(and(eq(hostGroups.id, groupId), assigned));
  const [group] = options.lock ? await query.for('update') : await query;
  if (!group) {
    throw new NotFoundError(`group not found: ${groupId}`);
  }
  return group;
}
