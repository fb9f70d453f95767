import { sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';

/** A group with its member counts, as the groups page and API list it. */
export interface GroupSummary {
  id: string;
  name: string;
  description: string;
  /** Member hosts that are not removed. */
  hostCount: number;
  userCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Lists every host group by name, with host and user counts. Admin only. */
export async function listGroups(ctx: Context): Promise<GroupSummary[]> {
  assertAdmin(ctx);

  const rows = await ctx.db.execute<{
    id: string;
    name: string;
    description: string;
    host_count: number;
    user_count: number;
    created_at: string;
    updated_at: string;
  }>(sql`
    select g.id, g.name, g.description, g.created_at, g.updated_at,
      (select count(*)::int from host_group_members m join hosts h on h.id = m.host_id
        where m.group_id = g.id and h.removed_at is null) as host_count,
      (select count(*)::int from user_group_members u where u.group_id = g.id) as user_count
    from host_groups g
    order by lower(g.name), g.id`);

  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    hostCount: row.host_count,
    userCount: row.user_count,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }));
}
