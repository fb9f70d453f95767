import { sql } from 'drizzle-orm';
import { hostVisibleTo } from '@/lib/access/host-scope';
import type { Context } from '@/lib/context';

/** Age ranges of pending security updates, in days since the update was first reported. */
export const SECURITY_AGE_BUCKETS = [
  { key: 'under7', label: '< 7 days', minDays: 0, maxDays: 7 },
  { key: 'from7to30', label: '7–30 days', minDays: 7, maxDays: 30 },
  { key: 'from30to90', label: '30–90 days', minDays: 30, maxDays: 90 },
  { key: 'over90', label: '> 90 days', minDays: 90, maxDays: null },
] as const;

export type SecurityAgeBucketKey = (typeof SECURITY_AGE_BUCKETS)[number]['key'];

export interface SecurityAgeBucket {
  key: SecurityAgeBucketKey;
  label: string;
  /** Pending security updates whose age falls in the range. */
  updates: number;
  /** Hosts with at least one such update; a host can count in several ranges. */
  hosts: number;
}

/**
 * Counts pending security updates of the enrolled hosts the actor may see by age, from
 * `host_updates.first_seen_at`. A range includes its lower bound and excludes
 * its upper one, so an update exactly 7 days old counts as 7–30 days. `now` is
 * a parameter so tests can pin the clock. One scan of the partial index
 * host_updates_security_age_idx serves the whole query.
 */
export async function countSecurityUpdateAges(ctx: Context, options: { now?: Date } = {}): Promise<SecurityAgeBucket[]> {
  const now = (options.now ?? new Date()).toISOString();
  const rows = await ctx.db.execute<{ bucket: number; updates: number; hosts: number }>(sql`
    select
      case
        when u.first_seen_at > ${now}::timestamptz - interval '7 days' then 0
        when u.first_seen_at > ${now}::timestamptz - interval '30 days' then 1
        when u.first_seen_at > ${now}::timestamptz - interval '90 days' then 2
        else 3
      end as bucket,
      count(*)::int as updates,
      count(distinct u.host_id)::int as hosts
    from host_updates u
    join hosts h on h.id = u.host_id and h.removed_at is null
    where u.security and ${hostVisibleTo(ctx.actor, sql`h.id`)}
    group by 1`);

  const byBucket = new Map(rows.map((row) => [row.bucket, row]));
  return SECURITY_AGE_BUCKETS.map((bucket, index) => ({
    key: bucket.key,
    label: bucket.label,
    updates: byBucket.get(index)?.updates ?? 0,
    hosts: byBucket.get(index)?.hosts ?? 0,
  }));
}
