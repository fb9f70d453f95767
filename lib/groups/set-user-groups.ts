import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { users } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { userIdParam } from '@/lib/users/user-fields';
import { parseInput } from '@/lib/validation';
import { groupIdsField, uniqueIds } from './group-fields';
import { replaceMemberships } from './replace-memberships';

export const setUserGroupsInput = z
  .object({
    userId: userIdParam,
    groupIds: groupIdsField,
  })
  .strict();

/**
 * Replaces the groups a console user is assigned to with `groupIds`, in two
 * set-based statements. Admin only. The groups limit what an Operator sees; an
 * Admin's groups take effect only after a demotion. The scope is read by every query,
 * so the change applies to the user's next request with the same access token.
 * Unknown users and groups raise NotFoundError and change nothing. Writes
 * `user.groups` with the old and new group names when the set changed.
 */
export async function setUserGroups(ctx: Context, input: unknown): Promise<{ groups: { id: string; name: string }[] }> {
  assertAdmin(ctx);
  const request = parseInput(setUserGroupsInput, input, 'user groups');
  const userId = request.userId.toLowerCase();
  const groupIds = uniqueIds(request.groupIds);

  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.select({ username: users.username }).from(users).where(eq(users.id, userId)).for('update');
    if (!user) {
      throw new NotFoundError('user not found');
    }
    const change = await replaceMemberships(tx, { kind: 'user', id: userId }, groupIds);
    if (change.changed) {
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'user.groups',
        target: { kind: 'user', id: userId },
        details: { username: user.username, from: change.from, to: change.to },
      });
    }
    return { groups: change.groups };
  });
}
