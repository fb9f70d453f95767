import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Actor } from '@/lib/context';

/**
 * Returns whether the actor is limited to the hosts of their groups. Only Operators
 * are. Admins, the system, the admin CLI and agents (which reach only their own host
 * through their certificate) are not.
 */
export function isScoped(actor: Actor): actor is Extract<Actor, { kind: 'user' }> {
  return actor.kind === 'user' && actor.role === 'operator';
}

/** Builds the subquery of the host ids in the groups a user is assigned to. */
export function hostsOfUserGroups(userId: string): SQL {
  return sql`(
    select hgm.host_id from host_group_members hgm
    join user_group_members ugm on ugm.group_id = hgm.group_id
    where ugm.user_id = ${userId}::uuid)`;
}

/**
 * Builds a condition on a host id column that is true only for hosts the actor may
 * see: every host for unscoped actors, and for an Operator the hosts in at least one
 * group the Operator is assigned to. The same statement reads the membership, so a
 * group change applies to the next query.
 */
export function hostVisibleTo(actor: Actor, hostIdColumn: AnyPgColumn | SQL): SQL {
  if (!isScoped(actor)) return sql`true`;
  return sql`${hostIdColumn} in ${hostsOfUserGroups(actor.userId)}`;
}

/**
 * Builds a condition on a job id column that is true only for jobs the actor may see:
 * every job for unscoped actors, and for an Operator the jobs whose every host is
 * visible to them. A job with one host outside the Operator's groups is hidden as a
 * whole, so get, output, cancel and the jobs WebSocket all treat it as not found.
 */
export function jobVisibleTo(actor: Actor, jobIdColumn: AnyPgColumn | SQL): SQL {
  if (!isScoped(actor)) return sql`true`;
  return sql`not exists (
    select 1 from job_hosts jh
    where jh.job_id = ${jobIdColumn}
      and jh.host_id not in ${hostsOfUserGroups(actor.userId)})`;
}

/**
 * Builds a condition on a host group id column that is true only for groups the actor
 * may see: every group for unscoped actors, and for an Operator the groups they are
 * assigned to. Per-group figures such as compliance rows use it, so an Operator never
 * learns the size or state of another group.
 */
export function groupVisibleTo(actor: Actor, groupIdColumn: AnyPgColumn | SQL): SQL {
  if (!isScoped(actor)) return sql`true`;
  return sql`${groupIdColumn} in (
    select ugm.group_id from user_group_members ugm
    where ugm.user_id = ${actor.userId}::uuid)`;
}
