import { and, asc, eq, ilike, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { hostVisibleTo, isScoped } from '@/lib/access/host-scope';
import type { Transaction } from '@/lib/audit/write-audit';
import type { Actor } from '@/lib/context';
import { hostGroups, hosts } from '@/lib/db/schema';
import { NotFoundError, ValidationError } from '@/lib/errors';
import { hostHasSecurityUpdates, hostInAnyGroup, hostOsNameIs, hostRebootStateIs } from '@/lib/hosts/host-conditions';
import type { CreateJobRequest, HostFilter } from './job-input';

/** Maximum number of hosts in one job. */
export const MAX_JOB_HOSTS = 10_000;

/** The scope as stored on the job: what was asked for, for the record. */
export type JobScope =
  | { kind: 'hosts'; hostIds: string[] }
  | { kind: 'groups'; groupIds: string[] }
  | { kind: 'filter'; filter: HostFilter };

export interface ResolvedScope {
  scope: JobScope;
  /** Host ids in hostname order; the canary wave is taken from the front. */
  hostIds: string[];
}

/**
 * Resolves a job's scope to a fixed list of hosts. This is the one place where a job's
 * hosts are checked against the actor's visibility. An Operator reaches only hosts of
 * their own groups, and a named host or group outside them is "not found", exactly like
 * one that does not exist. Removed hosts never count. Raises ValidationError when the
 * scope matches no host or more than {@link MAX_JOB_HOSTS}.
 */
export async function resolveJobScope(tx: Transaction, actor: Actor, request: CreateJobRequest): Promise<ResolvedScope> {
  const visible = hostVisibleTo(actor, hosts.id);
  const live = isNull(hosts.removedAt);

  if (request.hostIds) {
    const hostIds = [...new Set(request.hostIds.map((id) => id.toLowerCase()))];
    const found = await selectHosts(tx, and(inArray(hosts.id, hostIds), live, visible));
    if (found.length !== hostIds.length) {
      const known = new Set(found);
      const missing = hostIds.filter((id) => !known.has(id));
      throw new NotFoundError(`hostIds: host not found: ${missing.slice(0, 5).join(', ')}`, { field: 'hostIds' });
    }
    return { scope: { kind: 'hosts', hostIds }, hostIds: found };
  }

  if (request.groupIds) {
    const groupIds = [...new Set(request.groupIds.map((id) => id.toLowerCase()))];
    await assertGroupsVisible(tx, actor, groupIds);
    const found = await selectHosts(tx, and(hostInAnyGroup(groupIds), live, visible));
    return { scope: { kind: 'groups', groupIds }, hostIds: requireSome(found, 'groupIds', 'the chosen groups have no hosts') };
  }

  const filter = request.filter ?? {};
  const found = await selectHosts(tx, and(live, visible, ...filterConditions(filter)));
  return { scope: { kind: 'filter', filter }, hostIds: requireSome(found, 'filter', 'no host matches the filter') };
}

async function selectHosts(tx: Transaction, where: SQL | undefined): Promise<string[]> {
  const rows = await tx
    .select({ id: hosts.id })
    .from(hosts)
    .where(where)
    .orderBy(asc(hosts.hostname), asc(hosts.id))
    .limit(MAX_JOB_HOSTS + 1);
  return rows.map((row) => row.id);
}

function requireSome(hostIds: string[], field: string, emptyMessage: string): string[] {
  if (hostIds.length === 0) {
    throw new ValidationError(`${field}: ${emptyMessage}`, { field });
  }
  if (hostIds.length > MAX_JOB_HOSTS) {
    throw new ValidationError(`${field}: matches more than ${MAX_JOB_HOSTS} hosts; narrow it down`, { field });
  }
  return hostIds;
}

/** Groups must exist, and an Operator may name only groups they are assigned to. */
async function assertGroupsVisible(tx: Transaction, actor: Actor, groupIds: string[]): Promise<void> {
  const assigned = isScoped(actor)
    ? sql`${hostGroups.id} in (select group_id from user_group_members where user_id = ${actor.userId}::uuid)`
    : sql`true`;
  const rows = await tx.select({ id: hostGroups.id }).from(hostGroups).where(and(inArray(hostGroups.id, groupIds), assigned));
  if (rows.length !== groupIds.length) {
    const known = new Set(rows.map((row) => row.id));
    const missing = groupIds.filter((id) => !known.has(id));
    throw new NotFoundError(`groupIds: group not found: ${missing.slice(0, 5).join(', ')}`, { field: 'groupIds' });
  }
}

function filterConditions(filter: HostFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.osName !== undefined) conditions.push(hostOsNameIs(filter.osName));
  if (filter.osVersion !== undefined) conditions.push(eq(hosts.osVersion, filter.osVersion));
  if (filter.hasSecurityUpdates !== undefined) conditions.push(hostHasSecurityUpdates(filter.hasSecurityUpdates));
  if (filter.rebootRequired !== undefined) conditions.push(hostRebootStateIs(filter.rebootRequired));
  if (filter.namePattern !== undefined) conditions.push(ilike(hosts.hostname, globToLike(filter.namePattern)));
  if (filter.onlineOnly === true) conditions.push(eq(hosts.status, 'online'));
  return conditions;
}

/** Turns a `*`/`?` glob into a LIKE pattern; LIKE's own wildcards and backslash are escaped. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (character) => `\\${character}`).replace(/\*/g, '%').replace(/\?/g, '_');
}
