import { parseInput } from '@/lib/validation';
import { and, asc, desc, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { hosts } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { hostHasSecurityUpdates, hostInAnyGroup, hostOsNameIs, hostRebootStateIs, type RebootState } from './host-conditions';
import { escapeLike, isStorableText } from '@/lib/text';

/** Values of the `reboot` filter, mapped to the stored `hosts.reboot_required` values. */
const REBOOT_FILTERS = { required: 'yes', 'not-required': 'no', unknown: 'unknown' } as const satisfies Record<string, RebootState>;

/** Largest number of group ids one `group` filter takes. */
const MAX_GROUP_FILTER_IDS = 100;

const isUuid = (value: string): boolean => z.uuid().safeParse(value).success;

export const listHostsInput = z
  .object({
    search: z.string().trim().max(200, { error: 'search: at most 200 characters' }).refine(isStorableText, { error: 'search: contains a NUL character or invalid UTF-16; remove it' }).optional(),
    status: z.enum(['online', 'offline', 'pending'], { error: 'status: expected online, offline or pending' }).optional(),
    /** Group ids; a host in any of them matches. */
    group: z
      .array(z.string(), { error: 'group: expected a list of group ids' })
      .min(1, { error: 'group: expected at least one group id (UUID)' })
      .max(MAX_GROUP_FILTER_IDS, { error: `group: at most ${MAX_GROUP_FILTER_IDS} group ids` })
      .refine((ids) => ids.every(isUuid), { error: 'group: expected group ids (UUID), repeated or comma-separated' })
      .optional(),
    /** OS name as agents report it, such as `Ubuntu`, compared without regard to case. */
    os: z
      .string({ error: 'os: expected an OS name' })
      .trim()
      .min(1, { error: 'os: expected an OS name such as Ubuntu' })
      .max(128, { error: 'os: at most 128 characters' })
      .refine(isStorableText, { error: 'os: contains a NUL character or invalid UTF-16; remove it' })
      .optional(),
    security: z.enum(['yes'], { error: 'security: expected yes' }).optional(),
    reboot: z.enum(['required', 'not-required', 'unknown'], { error: 'reboot: expected required, not-required or unknown' }).optional(),
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


/** Builds the conditions of the given filters, which a host must all match. */
function filterConditions(filter: z.output<typeof listHostsInput>): SQL[] {
  const conditions: SQL[] = [];
  if (filter.search) {
    const pattern = `%${escapeLike(filter.search)}%`;
    conditions.push(or(ilike(hosts.hostname, pattern), ilike(hosts.osName, pattern), sql`array_to_string(${hosts.ipAddresses}, ' ') ilike ${pattern}`)!);
  }
  if (filter.status) conditions.push(eq(hosts.status, filter.status));
  if (filter.group) conditions.push(hostInAnyGroup(filter.group.map((id) => id.toLowerCase())));
  if (filter.os) conditions.push(hostOsNameIs(filter.os));
  if (filter.security === 'yes') conditions.push(hostHasSecurityUpdates(true));
  if (filter.reboot) conditions.push(hostRebootStateIs(REBOOT_FILTERS[filter.reboot]));
  return conditions;
}

/**
 * Lists the hosts the actor may see, one page at a time. An Operator sees the hosts
 * of their groups, so a `group` filter naming another group matches no host. The
 * filters combine with AND. The default order puts hosts with the most security
 * updates first.
 */
export async function listHosts(ctx: Context, input: ListHostsInput): Promise<{ total: number; items: HostSummary[] }> {
  const filter = parseInput(listHostsInput, input, 'host list request');
  const { page, pageSize, sort } = filter;

  const where = and(isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id), ...filterConditions(filter));

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
