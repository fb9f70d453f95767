import { sql } from 'drizzle-orm';

/**
 * Counts of hosts by patch state, computed from the counters that inventory
 * ingest keeps on `hosts`, so no query reads the package tables. `offline`,
 * `awaitingInventory`, `behind` and `upToDate` partition `hosts`: an offline
 * host counts as offline whatever its last inventory reported, and an online host
 * without any inventory yet is neither behind nor up to date.
 * `withSecurity` and `rebootPending` overlap the other states.
 */
export interface HostStateCounts {
  hosts: number;
  upToDate: number;
  behind: number;
  offline: number;
  awaitingInventory: number;
  withSecurity: number;
  rebootPending: number;
}

/**
 * Select-list of aggregates over `hosts h` that yields the HostStateCounts
 * columns in snake case. Callers add the FROM, WHERE and GROUP BY.
 */
export const HOST_STATE_AGGREGATES = sql.raw(`
  count(*)::int as hosts,
  count(*) filter (where h.status <> 'offline' and h.inventory_at is not null and h.pending_count = 0)::int as up_to_date,
  count(*) filter (where h.status <> 'offline' and h.inventory_at is not null and h.pending_count > 0)::int as behind,
  count(*) filter (where h.status = 'offline')::int as offline,
  count(*) filter (where h.status <> 'offline' and h.inventory_at is null)::int as awaiting_inventory,
  count(*) filter (where h.security_count > 0)::int as with_security,
  count(*) filter (where h.reboot_required = 'yes')::int as reboot_pending`);

/** A result row of HOST_STATE_AGGREGATES. */
export type HostStateRow = {
  hosts: number;
  up_to_date: number;
  behind: number;
  offline: number;
  awaiting_inventory: number;
  with_security: number;
  reboot_pending: number;
};

/** Converts a HOST_STATE_AGGREGATES row to HostStateCounts. */
export function toHostStateCounts(row: HostStateRow | undefined): HostStateCounts {
  return {
    hosts: row?.hosts ?? 0,
    upToDate: row?.up_to_date ?? 0,
    behind: row?.behind ?? 0,
    offline: row?.offline ?? 0,
    awaitingInventory: row?.awaiting_inventory ?? 0,
    withSecurity: row?.with_security ?? 0,
    rebootPending: row?.reboot_pending ?? 0,
  };
}

/** Share of up-to-date hosts in percent with one decimal, or null for no hosts. */
export function upToDatePercent(counts: Pick<HostStateCounts, 'hosts' | 'upToDate'>): number | null {
  if (counts.hosts === 0) {
    return null;
  }
  return Math.round((counts.upToDate / counts.hosts) * 1000) / 10;
}
