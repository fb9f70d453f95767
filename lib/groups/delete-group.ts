import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { groupIdField } from './group-fields';

const deleteGroupInput = z.object({ groupId: groupIdField }).strict();

/**
 * Deletes a group with its host and user memberships; the hosts and users stay.
 * Admin only. Operators of the group lose sight of its hosts on their next request,
 * unless another of their groups holds them. Writes `group.delete` with the name and
 * how many hosts and users were members. An unknown group is NotFoundError.
 */
export async function deleteGroup(ctx: Context, input: { groupId: string }): Promise<void> {
  assertAdmin(ctx);
  const { groupId } = parseInput(deleteGroupInput, input, 'group removal');

  await ctx.db.transaction(async (tx) => {
    // The row lock blocks new memberships (their foreign key check takes a share
    // lock on the group), so the counts below are the ones the delete removes.
    const [group] = await tx.select({ name: hostGroups.name }).from(hostGroups).where(eq(hostGroups.id, groupId)).for('update');
    if (!group) {
      throw new NotFoundError('group not found');
    }

    const [members] = await tx.execute<{ hosts: number; users: number }>(sql`
      select (select count(*)::int from host_group_members where group_id = ${groupId}) as hosts,
        (select count(*)::int from user_group_members where group_id = ${groupId}) as users`);
    await tx.delete(hostGroups).where(eq(hostGroups.id, groupId));

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'group.delete',
      target: { kind: 'group', id: groupId },
      details: { name: group.name, hostCount: members?.hosts ?? 0, userCount: members?.users ?? 0 },
    });
  });
}
