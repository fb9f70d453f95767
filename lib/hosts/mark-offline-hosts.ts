import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';

/**
 * Marks online hosts offline when they have not checked in for
 * `offlineAfterSeconds`; returns the ids it changed. A host with an open agent
 * channel refreshes last_seen_at on every heartbeat, so it never ages out.
 */
export async function markOfflineHosts(ctx: Context, options: { offlineAfterSeconds: number }): Promise<string[]> {
  const rows = await ctx.db.execute<{ id: string }>(sql`
    update hosts set status = 'offline'
    where status <> 'offline' and removed_at is null
      and coalesce(last_seen_at, enrolled_at) < now() - make_interval(secs => ${options.offlineAfterSeconds})
    returning id`);
  return rows.map((row) => row.id);
}
