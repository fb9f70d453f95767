import { sql, type SQL } from 'drizzle-orm';
import { hostsOfUserGroups, isScoped } from '@/lib/access/host-scope';
import type { Actor } from '@/lib/context';
import { schedules } from '@/lib/db/schema';

/**
 * A condition on the schedules table that holds only for schedules the actor
 * may see. Unscoped actors see all of them. An Operator may see the filter
 * schedules they own (these resolve within the owner's current groups), the schedules whose
 * template names at least one host and only hosts in the Operator's groups, and
 * those that name only the Operator's groups. Like a job, a schedule that touches
 * one host or group outside those groups is hidden as a whole.
 */
export function scheduleVisibleTo(actor: Actor): SQL {
  if (!isScoped(actor)) return sql`true`;
  return sql`((${schedules.ownerUserId} = ${actor.userId}::uuid
      and not (${schedules.jobTemplate} ? 'hostIds') and not (${schedules.jobTemplate} ? 'groupIds'))
    or (jsonb_typeof(${schedules.jobTemplate}->'groupIds') = 'array'
    and jsonb_array_length(${schedules.jobTemplate}->'groupIds') > 0
    and not exists (
      select 1 from jsonb_array_elements(${schedules.jobTemplate}->'groupIds') as listed(group_id)
      where jsonb_typeof(listed.group_id) <> 'string'
        or lower(listed.group_id #>> '{}') not in (
          select ugm.group_id::text from user_group_members ugm where ugm.user_id = ${actor.userId}::uuid)))
    or (jsonb_typeof(${schedules.jobTemplate}->'hostIds') = 'array'
    and jsonb_array_length(${schedules.jobTemplate}->'hostIds') > 0
    and not exists (
      select 1 from jsonb_array_elements(${schedules.jobTemplate}->'hostIds') as listed(host_id)
      where jsonb_typeof(listed.host_id) <> 'string'
        or lower(listed.host_id #>> '{}') not in (select host_id::text from ${hostsOfUserGroups(actor.userId)} as visible))))`;
}
