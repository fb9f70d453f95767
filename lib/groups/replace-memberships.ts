import { sql } from 'drizzle-orm';
import type { Transaction } from '@/lib/audit/write-audit';
import { groupNames, lockGroups, sameNames } from './lock-groups';

/** The two membership tables: hosts in groups, and users assigned to groups. */
const MEMBERSHIP = {
  host: { table: 'host_group_members', column: 'host_id' },
  user: { table: 'user_group_members', column: 'user_id' },
} as const;

/** The group names of a member before and after a replacement. */
export interface MembershipChange {
  groups: { id: string; name: string }[];
  from: string[];
  to: string[];
  changed: boolean;
}

/**
 * Replaces the groups of one host or user with `groupIds` in two set-based
 * statements, inside the caller's transaction. The groups are locked first, and an
 * unknown group raises NotFoundError before anything changes. Returns the group
 * names before and after, for the caller's audit row.
 */
export async function replaceMemberships(
  tx: Transaction,
  member: { kind: keyof typeof MEMBERSHIP; id: string },
  groupIds: string[],
): Promise<MembershipChange> {
  const table = sql.identifier(MEMBERSHIP[member.kind].table);
  const column = sql.identifier(MEMBERSHIP[member.kind].column);
  const groups = await lockGroups(tx, groupIds);

  const before = await tx.execute<{ name: string }>(sql`
    select g.name from ${table} m join host_groups g on g.id = m.group_id where m.${column} = ${member.id}`);
  const ids = JSON.stringify(groupIds);
  await tx.execute(sql`
    delete from ${table}
    where ${column} = ${member.id}
      and group_id not in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))`);
  await tx.execute(sql`
    insert into ${table} (group_id, ${column})
    select value::uuid, ${member.id}::uuid from jsonb_array_elements_text(${ids}::jsonb)
    on conflict do nothing`);

  const from = groupNames([...before]);
  const to = groupNames(groups);
  return { groups, from, to, changed: !sameNames(from, to) };
}
