import { and, asc, isNull, ne } from 'drizzle-orm';
import { hostVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { hosts } from '@/lib/db/schema';

/**
 * Lists the distinct OS names of the hosts the actor may see, sorted, as values for
 * the hosts list's `os` filter. Removed hosts and hosts that have not reported an OS
 * yet are left out, and an Operator gets only the names present in their groups.
 */
export async function listHostOsNames(ctx: Context): Promise<string[]> {
  const rows = await ctx.db
    .selectDistinct({ osName: hosts.osName })
    .from(hosts)
    .where(and(isNull(hosts.removedAt), ne(hosts.osName, ''), hostVisibleTo(ctx.actor, hosts.id)))
    .orderBy(asc(hosts.osName));
  return rows.map((row) => row.osName);
}
