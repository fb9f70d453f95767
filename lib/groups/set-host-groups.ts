import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hosts } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { groupIdsField, uniqueIds } from './group-fields';
import { groupNames, lockGroups, sameNames } from './lock-groups';

export const setHostGroupsInput = z
  .object({
    hostId: z.uuid({ error: 'hostId: expected a host id (UUID)' }),
    groupIds: groupIdsField,
  })
  .strict();

/**
 * Replaces the groups of one host with `groupIds` (an empty list removes it from
 * every group), in two set-based statements. Admin only. An unknown or removed host
 * and an unknown group raise NotFoundError and change nothing. Writes `host.groups`
 * with the old and new group names when the set changed. Operators of the affected
 * groups see the change on their next request.
 */
export async function setHostGroups(ctx: Context, input: unknown): Promise<{ groups: { id: string; name: string }[] }> {
  assertAdmin(ctx);
  const request = parseInput(setHostGroupsInput, input, 'host groups');
  const hostId = request.hostId.toLowerCase();
  const groupIds = uniqueIds(request.groupIds);

  return ctx.db.transaction(async (tx) => {
    const [host] = await tx
      .select({ hostname: hosts.hostname })
      .from(hosts)
      .where(and(eq(hosts.id, hostId), isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id)))
      .for('update');
    if (!host) {
      throw new NotFoundError('host not found');
    }
    const groups = await lockGroups(tx, groupIds);

    const before = await tx.execute<{ name: string }>(sql`
      select g.name from host_group_members m join host_groups g on g.id = m.group_id where m.host_id = ${hostId}`);
    const ids = JSON.stringify(groupIds);
    await tx.execute(sql`
      delete from host_group_members
      where host_id = ${hostId}
        and group_id not in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))`);
    await tx.execute(sql`
      insert into host_group_members (group_id, host_id)
      select value::uuid, ${hostId}::uuid from jsonb_array_elements_text(${ids}::jsonb)
      on conflict do nothing`);

    const from = groupNames([...before]);
    const to = groupNames(groups);
    if (!sameNames(from, to)) {
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'host.groups',
        target: { kind: 'host', id: hostId },
        details: { hostname: host.hostname, from, to },
      });
    }
    return { groups };
  });
}
