import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { groupIdField, hostIdsField, uniqueIds } from './group-fields';

export const setGroupHostsInput = z
  .object({
    groupId: groupIdField,
    hostIds: hostIdsField,
  })
  .strict();

type HostRef = { id: string; hostname: string };

/**
 * Replaces the member hosts of a group with `hostIds` (an empty list empties the
 * group). Admin only. The check, the removal and the addition are one set-based
 * statement each, whatever the number of hosts. An unknown group, or a host id that
 * is unknown or removed, raises NotFoundError and changes nothing. Writes one
 * `group.update` row listing the hosts added and removed, when any were.
 */
export async function setGroupHosts(ctx: Context, input: unknown): Promise<{ added: number; removed: number }> {
  assertAdmin(ctx);
  const request = parseInput(setGroupHostsInput, input, 'group hosts');
  const groupId = request.groupId.toLowerCase();
  const hostIds = uniqueIds(request.hostIds);
  const ids = JSON.stringify(hostIds);

  return ctx.db.transaction(async (tx) => {
    const [group] = await tx.select({ name: hostGroups.name }).from(hostGroups).where(eq(hostGroups.id, groupId)).for('update');
    if (!group) {
      throw new NotFoundError('group not found');
    }

    const missing = await tx.execute<{ id: string }>(sql`
      select value as id from jsonb_array_elements_text(${ids}::jsonb)
      where not exists (select 1 from hosts h where h.id = value::uuid and h.removed_at is null)
      limit 5`);
    if (missing.length > 0) {
      throw new NotFoundError(`hostIds: host not found: ${missing.map((row) => row.id).join(', ')}`, { field: 'hostIds' });
    }

    const removed = await tx.execute<HostRef>(sql`
      with gone as (
        delete from host_group_members
        where group_id = ${groupId}
          and host_id not in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))
        returning host_id)
      select h.id, h.hostname from gone join hosts h on h.id = gone.host_id order by h.hostname, h.id`);
    const added = await tx.execute<HostRef>(sql`
      with inserted as (
        insert into host_group_members (group_id, host_id)
        select ${groupId}::uuid, value::uuid from jsonb_array_elements_text(${ids}::jsonb)
        on conflict do nothing
        returning host_id)
      select h.id, h.hostname from inserted join hosts h on h.id = inserted.host_id order by h.hostname, h.id`);

    if (added.length > 0 || removed.length > 0) {
      await tx.update(hostGroups).set({ updatedAt: sql`now()` }).where(eq(hostGroups.id, groupId));
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'group.update',
        target: { kind: 'group', id: groupId },
        details: {
          name: group.name,
          hostsAdded: added.map((row) => ({ id: row.id, hostname: row.hostname })),
          hostsRemoved: removed.map((row) => ({ id: row.id, hostname: row.hostname })),
        },
      });
    }
    return { added: added.length, removed: removed.length };
  });
}
