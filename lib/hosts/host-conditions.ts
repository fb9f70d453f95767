import { eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { hostGroupMembers, hosts } from '@/lib/db/schema';

// Conditions on the hosts table shared by the hosts list and a job's host filter, so
// both select the same hosts for the same words. Each is one set-based condition in
// the statement's WHERE clause, never a query per host.

/** Stored values of `hosts.reboot_required`. */
export type RebootState = 'yes' | 'no' | 'unknown';

/**
 * Builds a condition true for hosts in at least one of the groups. The subquery reads
 * the primary key of `host_group_members`, which starts with the group id.
 */
export function hostInAnyGroup(groupIds: string[]): SQL {
  return sql`${hosts.id} in (select ${hostGroupMembers.hostId} from ${hostGroupMembers} where ${inArray(hostGroupMembers.groupId, groupIds)})`;
}

/** Builds a condition true for hosts whose OS name equals `osName`, ignoring case. */
export function hostOsNameIs(osName: string): SQL {
  return sql`lower(${hosts.osName}) = lower(${osName})`;
}

/** Builds a condition true for hosts with at least one pending security update, or with none when `has` is false. */
export function hostHasSecurityUpdates(has: boolean): SQL {
  return has ? gt(hosts.securityCount, 0) : eq(hosts.securityCount, 0);
}

/** Builds a condition true for hosts whose last inventory reported this reboot state. */
export function hostRebootStateIs(state: RebootState): SQL {
  return eq(hosts.rebootRequired, state);
}
