import { eq, sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { UUID_PATTERN } from '@/lib/hosts/find-visible-host';

/**
 * Finds a group by its id or by its name without regard to case, as the admin CLI
 * accepts either. An id match wins over a group whose name looks like an id. Group
 * names are unique without regard to case, so a name matches at most one group.
 * Returns null when nothing matches. Admin only.
 */
export async function findGroupByNameOrId(ctx: Context, reference: string): Promise<{ id: string; name: string } | null> {
  assertAdmin(ctx);
  const trimmed = reference.trim();

  if (UUID_PATTERN.test(trimmed)) {
    const [byId] = await ctx.db.select({ id: hostGroups.id, name: hostGroups.name }).from(hostGroups).where(eq(hostGroups.id, trimmed));
    if (byId) {
      return byId;
    }
  }

  const [byName] = await ctx.db
    .select({ id: hostGroups.id, name: hostGroups.name })
    .from(hostGroups)
    .where(sql`lower(${hostGroups.name}) = lower(${trimmed})`);
  return byName ?? null;
}
