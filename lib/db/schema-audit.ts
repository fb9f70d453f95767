import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The tamper-evident audit log. Each row's `row_hash` is the SHA-256 of its
 * canonical encoding, which includes `prev_hash`, the previous row's `row_hash`
 * (see lib/audit/README.md). The application role may only insert and read it.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 6 }).notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    clientAddress: text('client_address'),
    action: text('action').notNull(),
    targetKind: text('target_kind'),
    targetId: text('target_id'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    prevHash: text('prev_hash').notNull(),
    rowHash: text('row_hash').notNull(),
  },
  (t) => [
    index('audit_log_occurred_idx').on(t.occurredAt),
    index('audit_log_actor_label_idx').on(t.actorLabel, t.id),
    index('audit_log_actor_id_idx').on(t.actorId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
    index('audit_log_target_idx').on(t.targetKind, t.targetId, t.id),
    check('audit_log_prev_hash_check', sql`${t.prevHash} ~ '^[0-9a-f]{64}$'`),
    check('audit_log_row_hash_check', sql`${t.rowHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

/**
 * Copies of the signed chain-head checkpoints, for display. The authoritative
 * copy is the JSON-lines file outside the database, which verification reads.
 */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    rowId: bigint('row_id', { mode: 'number' }).notNull(),
    rowHash: text('row_hash').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
  },
  (t) => [index('audit_checkpoints_row_idx').on(t.rowId)],
);
