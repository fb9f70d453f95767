import { sql } from 'drizzle-orm';
import { bigint, check, date, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Daily compliance figures, one row per OS (name and version) and one overall
 * row (`scope` = 'overall', empty OS columns) per UTC day. Taking a snapshot
 * twice on one day replaces that day's rows. The host states partition the
 * fleet: offline, awaiting first inventory, behind and up to date add up to
 * `hosts`; `with_security` and `reboot_pending` overlap them.
 *
 * NOTE: there is no group dimension, because hosts have no groups yet; a
 * `group` scope belongs here once host groups exist.
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
    hosts: integer('hosts').notNull(),
    upToDate: integer('up_to_date').notNull(),
    behind: integer('behind').notNull(),
    withSecurity: integer('with_security').notNull(),
    offline: integer('offline').notNull(),
    awaitingInventory: integer('awaiting_inventory').notNull(),
    rebootPending: integer('reboot_pending').notNull(),
  },
  (t) => [
    uniqueIndex('compliance_snapshots_day_idx').on(t.snapshotDate, t.scope, t.osName, t.osVersion),
    check('compliance_snapshots_scope_check', sql`${t.scope} in ('overall', 'os')`),
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
