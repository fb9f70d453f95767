import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * A command an Admin approved for use as a job's pre or post command. The agent runs
 * `argv` without a shell, so no argument is ever parsed by one.
 */
export const approvedCommands = pgTable(
  'approved_commands',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    argv: text('argv').array().notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('approved_commands_name_idx').on(sql`lower(${t.name})`),
    check('approved_commands_argv_check', sql`cardinality(${t.argv}) between 1 and 64`),
    check('approved_commands_timeout_check', sql`${t.timeoutSeconds} between 1 and 86400`),
  ],
);
