import { asc, sql } from 'drizzle-orm';
import { hostVisibleTo, isScoped } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';

/**
 * Lists the host groups the actor may name as a job's scope, sorted by name, each with
 * the number of its hosts the actor can see. An Admin gets every group and an Operator
 * only the assigned ones, which matches what `resolveJobScope` accepts.
 */
export async function listTargetGroups(ctx: Context): Promise<{ id: string; name: string; hostCount: number }[]> {
  const assigned = isScoped(ctx.actor)
    ? sql`${hostGroups.id} in (select group_id from user_group_members where user_id = ${ctx.actor.userId}::uuid)`
    : sql`true`;
  const visible = hostVisibleTo(ctx.actor, sql`m.host_id`);

  return ctx.db
    .select({
      id: hostGroups.id,
      name: hostGroups.name,
      hostCount: sql<number>`(select count(*)::int from host_group_members m join hosts h on h.id = m.host_id
        where m.group_id = ${hostGroups.id} and h.removed_at is null and ${visible})`,
    })
    .from(hostGroups)
    .where(assigned)
    .orderBy(asc(hostGroups.name));
}
