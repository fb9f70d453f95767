import { sql } from 'drizzle-orm';
import { hostVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { HOST_STATE_AGGREGATES, toHostStateCounts, type HostStateCounts, type HostStateRow } from './host-state-counts';

/** Fleet-wide host states for the dashboard, plus hosts whose reboot state the agent could not tell. */
export interface FleetStateCounts extends HostStateCounts {
  rebootUnknown: number;
}

/**
 * Counts the enrolled hosts the actor may see (removed ones excluded) by patch
 * state in one aggregate over `hosts`.
 */
export async function countHostStates(ctx: Context): Promise<FleetStateCounts> {
  const [row] = await ctx.db.execute<HostStateRow & { reboot_unknown: number }>(sql`
    select ${HOST_STATE_AGGREGATES},
      count(*) filter (where h.reboot_required = 'unknown')::int as reboot_unknown
    from hosts h
    where h.removed_at is null and ${hostVisibleTo(ctx.actor, sql`h.id`)}`);

  return { ...toHostStateCounts(row), rebootUnknown: row?.reboot_unknown ?? 0 };
}
