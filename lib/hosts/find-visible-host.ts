import { and, eq, isNull } from 'drizzle-orm';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { hosts } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Throws NotFoundError unless the host exists, is not removed and is visible to the
 * actor (for an Operator: in one of their groups, read by this same query).
 */
export async function assertHostVisible(ctx: Context, hostId: string): Promise<void> {
  if (!UUID.test(hostId)) {
    throw new NotFoundError('host not found');
  }
  const [row] = await ctx.db
    .select({ id: hosts.id })
    .from(hosts)
    .where(and(eq(hosts.id, hostId), isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id)));
  if (!row) {
    throw new NotFoundError('host not found');
  }
}

export { UUID as UUID_PATTERN };
