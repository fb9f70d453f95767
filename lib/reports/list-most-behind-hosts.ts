import { sql } from 'drizzle-orm';
import { hostVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';

export interface BehindHost {
  id: string;
  hostname: string;
  osName: string;
  osVersion: string;
  status: string;
  securityCount: number;
  pendingCount: number;
  rebootRequired: string;
  /** When the oldest pending security update was first reported; null without security updates. */
  oldestSecurityAt: Date | null;
}

/**
 * Lists the enrolled hosts the actor may see with pending updates, most behind first: most
 * security updates, then the oldest pending security update, then most
 * pending updates. Each host's oldest security update comes from one grouped
 * scan of the partial index host_updates_security_age_idx, not a lookup per host.
 */
export async function listMostBehindHosts(ctx: Context, options: { limit?: number } = {}): Promise<BehindHost[]> {
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new ValidationError('limit: expected a whole number from 1 to 500', { field: 'limit' });
  }

  const rows = await ctx.db.execute<{
    id: string;
    hostname: string;
    os_name: string;
    os_version: string;
    status: string;
    security_count: number;
    pending_count: number;
    reboot_required: string;
    oldest_security_at: string | null;
  }>(sql`
    with oldest as (
      select host_id, min(first_seen_at) as oldest_security_at
      from host_updates
      where security
      group by host_id
    )
    select h.id, h.hostname, h.os_name, h.os_version, h.status, h.security_count, h.pending_count,
      h.reboot_required, o.oldest_security_at
    from hosts h
    left join oldest o on o.host_id = h.id
    where h.removed_at is null and h.pending_count > 0 and ${hostVisibleTo(ctx.actor, sql`h.id`)}
    order by h.security_count desc, o.oldest_security_at asc nulls last, h.pending_count desc, h.hostname, h.id
    limit ${limit}`);

  return rows.map((row) => ({
    id: row.id,
    hostname: row.hostname,
    osName: row.os_name,
    osVersion: row.os_version,
    status: row.status,
    securityCount: row.security_count,
    pendingCount: row.pending_count,
    rebootRequired: row.reboot_required,
    oldestSecurityAt: row.oldest_security_at === null ? null : new Date(row.oldest_security_at),
  }));
}
