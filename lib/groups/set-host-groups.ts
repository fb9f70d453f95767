import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hosts } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { groupIdsField, uniqueIds } from './group-fields';
import { replaceMemberships } from './replace-memberships';

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
    const change = await replaceMemberships(tx, { kind: 'host', id: hostId }, groupIds);
    if (change.changed) {
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'host.groups',
        target: { kind: 'host', id: hostId },
        details: { hostname: host.hostname, from: change.from, to: change.to },
      });
    }
    return { groups: change.groups };
  });
}
