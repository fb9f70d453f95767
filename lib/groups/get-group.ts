import { and, asc, eq, isNull } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context, Role } from '@/lib/context';
import { hostGroupMembers, hostGroups, hosts, userGroupMembers, users } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { UUID_PATTERN } from '@/lib/hosts/find-visible-host';

/** Returns one group with its member hosts (removed ones left out) and users; throws NotFoundError. Admin only. */
export async function getGroup(ctx: Context, input: { groupId: string }) {
  assertAdmin(ctx);
  if (!UUID_PATTERN.test(input.groupId)) {
    throw new NotFoundError('group not found');
  }

  const [group] = await ctx.db
    .select({
      id: hostGroups.id,
      name: hostGroups.name,
      description: hostGroups.description,
      createdAt: hostGroups.createdAt,
      updatedAt: hostGroups.updatedAt,
    })
    .from(hostGroups)
    .where(eq(hostGroups.id, input.groupId));
  if (!group) {
    throw new NotFoundError('group not found');
  }

  const [memberHosts, memberUsers] = await Promise.all([
    ctx.db
      .select({ id: hosts.id, hostname: hosts.hostname })
      .from(hostGroupMembers)
      .innerJoin(hosts, eq(hosts.id, hostGroupMembers.hostId))
      .where(and(eq(hostGroupMembers.groupId, input.groupId), isNull(hosts.removedAt)))
      .orderBy(asc(hosts.hostname), asc(hosts.id)),
    ctx.db
      .select({ id: users.id, username: users.username, role: users.role })
      .from(userGroupMembers)
      .innerJoin(users, eq(users.id, userGroupMembers.userId))
      .where(eq(userGroupMembers.groupId, input.groupId))
      .orderBy(asc(users.username)),
  ]);

  return { ...group, hosts: memberHosts, users: memberUsers.map((user) => ({ ...user, role: user.role as Role })) };
}

export type GroupDetail = Awaited<ReturnType<typeof getGroup>>;
