import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { hosts } from './schema';
import { users } from './schema-auth';

/**
 * A host group. Hosts belong to any number of groups; Operators see and act on the
 * hosts of the groups they are assigned to, and nothing else.
 */
export const hostGroups = pgTable(
  'host_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('host_groups_name_idx').on(sql`lower(${t.name})`),
    check('host_groups_name_check', sql`length(${t.name}) between 1 and 100`),
  ],
);

/** Membership of a host in a group. */
export const hostGroupMembers = pgTable(
  'host_group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => hostGroups.id, { onDelete: 'cascade' }),
    hostId: uuid('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.hostId] }), index('host_group_members_host_idx').on(t.hostId, t.groupId)],
);

/** Assignment of a console user to a host group; it scopes what an Operator sees. */
export const userGroupMembers = pgTable(
  'user_group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => hostGroups.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.groupId] }), index('user_group_members_group_idx').on(t.groupId, t.userId)],
);
