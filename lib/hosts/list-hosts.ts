import { parseInput } from '@/lib/validation';
import { and, asc, desc, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { hosts } from '@/lib/db/schema';
import type { Context } from '@/lib/context';

export const listHostsInput = z
  .object({
    search: z.string().trim().max(200, { error: 'search: at most 200 characters' }).optional(),
    status: z.enum(['online', 'offline', 'pending'], { error: 'status: expected online, offline or pending' }).optional(),
    page: z.number().int().min(1, { error: 'page: expected 1 or more' }).default(1),
    pageSize: z
      .number()
      .int()
      .min(1, { error: 'pageSize: expected 1 to 500' })
      .max(500, { error: 'pageSize: expected 1 to 500' })
      .default(50),
    sort: z
      .enum(['hostname', 'security', 'pending', 'last_seen'], {
        error: 'sort: expected hostname, security, pending or last_seen',
      })
      .default('security'),
  })
  .strict();

export type ListHostsInput = z.input<typeof listHostsInput>;

export const hostSummaryColumns = {
  id: hosts.id,
  hostname: hosts.hostname,
  osName: hosts.osName,
  osVersion: hosts.osVersion,
  status: hosts.status,
  pendingCount: hosts.pendingCount,
  securityCount: hosts.securityCount,
  heldCount: hosts.heldCount,
  rebootRequired: hosts.rebootRequired,
  lastSeenAt: hosts.lastSeenAt,
  ipAddresses: hosts.ipAddresses,
  agentVersion: hosts.agentVersion,
  // Written out as hosts.id: drizzle renders a column interpolated in a select
  // list without its table, which the subquery would bind to host_groups.id.
  groups: sql<string[]>`array(select g.name from host_group_members m join host_groups g on g.id = m.group_id
    where m.host_id = hosts.id order by g.name)`,
};

export interface HostSummary {
  id: string;
  hostname: string;
  osName: string;
  osVersion: string;
  status: string;
  pendingCount: number;
  securityCount: number;
  heldCount: number;
  rebootRequired: string;
  lastSeenAt: Date | null;
  ipAddresses: string[];
  agentVersion: string;
  /** Names of the host's groups, sorted. */
  groups: string[];
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Lists the hosts the actor may see, one page at a time. An Operator sees the hosts
 * of their groups. The default order puts hosts with the most security updates first.
 */
export async function listHosts(ctx: Context, input: ListHostsInput): Promise<{ total: number; items: HostSummary[] }> {
  const { search, status, page, pageSize, sort } = parseInput(listHostsInput, input, 'host list request');

  const filters: SQL[] = [isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id)];
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    filters.push(or(ilike(hosts.hostname, pattern), ilike(hosts.osName, pattern), sql`array_to_string(${hosts.ipAddresses}, ' ') ilike ${pattern}`)!);
  }
  if (status) {
    filters.push(eq(hosts.status, status));
  }
  const where = and(...filters);

  const order = {
    hostname: [asc(hosts.hostname), asc(hosts.id)],
    security: [desc(hosts.securityCount), desc(hosts.pendingCount), asc(hosts.hostname), asc(hosts.id)],
    pending: [desc(hosts.pendingCount), asc(hosts.hostname), asc(hosts.id)],
    last_seen: [sql`${hosts.lastSeenAt} desc nulls last`, asc(hosts.id)],
  }[sort];

  const [items, [count]] = await Promise.all([
    ctx.db
      .select(hostSummaryColumns)
      .from(hosts)
      .where(where)
      .orderBy(...order)
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    ctx.db.select({ total: sql<number>`count(*)::int` }).from(hosts).where(where),
  ]);

  return { total: count?.total ?? 0, items };
}
