import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { hostGroups } from './schema-groups';

/**
 * Daily compliance figures, one row per OS (name and version), one per host
 * group (`scope` = 'group', with the group's id and its name at that time) and
 * one overall row (`scope` = 'overall', empty OS columns) per UTC day. Taking a
 * snapshot twice on one day replaces that day's rows. The host states partition
 * the hosts of a row: offline, awaiting first inventory, behind and up to date
 * add up to `hosts`; `with_security` and `reboot_pending` overlap them. A host
 * in several groups counts in each group's row. Deleting a group deletes its
 * rows, because only Admins, who see every host, could still read them.
 */
export const complianceSnapshots = pgTable(
  'compliance_snapshots',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    snapshotDate: date('snapshot_date', { mode: 'string' }).notNull(),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull().defaultNow(),
    scope: text('scope').notNull(),
    osName: text('os_name').notNull().default(''),
    osVersion: text('os_version').notNull().default(''),
    groupId: uuid('group_id').references(() => hostGroups.id, { onDelete: 'cascade' }),
    groupName: text('group_name').notNull().default(''),
    hosts: integer('hosts').notNull(),
    upToDate: integer('up_to_date').notNull(),
    behind: integer('behind').notNull(),
    withSecurity: integer('with_security').notNull(),
    offline: integer('offline').notNull(),
    awaitingInventory: integer('awaiting_inventory').notNull(),
    rebootPending: integer('reboot_pending').notNull(),
  },
  (t) => [
    uniqueIndex('compliance_snapshots_day_idx').on(t.snapshotDate, t.scope, t.osName, t.osVersion).where(sql`${t.scope} <> 'group'`),
    uniqueIndex('compliance_snapshots_group_day_idx').on(t.snapshotDate, t.groupId).where(sql`${t.scope} = 'group'`),
    index('compliance_snapshots_group_idx').on(t.groupId),
    check('compliance_snapshots_scope_check', sql`${t.scope} in ('overall', 'os', 'group')`),
    check('compliance_snapshots_group_check', sql`(${t.scope} = 'group') = (${t.groupId} is not null)`),
  ],
);

/**
 * The last email notice per (kind, subject), such as ('host.offline', host id).
 * A notice is sent only when its row is absent or `last_sent_at` is older than
 * the notice window, so a flapping host or a persisting failure cannot flood
 * the recipients. `suppressed` counts the notices held back since the last send.
 */
export const notificationLog = pgTable(
  'notification_log',
  {
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull(),
    suppressed: integer('suppressed').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject] })],
);
