import { asc, eq } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hostGroups, userGroupMembers } from '@/lib/db/schema';

/** Returns the groups of every console user, keyed by user id, each list sorted by name. Admin only. */
export async function listUserGroups(ctx: Context): Promise<Map<string, { id: string; name: string }[]>> {
  assertAdmin(ctx);
  const rows = await ctx.db
    .select({ userId: userGroupMembers.userId, id: hostGroups.id, name: hostGroups.name })
    .from(userGroupMembers)
    .innerJoin(hostGroups, eq(hostGroups.id, userGroupMembers.groupId))
    .orderBy(asc(hostGroups.name));

  const byUser = new Map<string, { id: string; name: string }[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push({ id: row.id, name: row.name });
    byUser.set(row.userId, list);
  }
  return byUser;
}
