import { sql } from 'drizzle-orm';
import type { Actor } from '@/lib/context';
import { actorLabel } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { assertNoSecrets } from './assert-no-secrets';
import { canonicalJson, GENESIS_HASH, hashAuditRow, type AuditRowFields } from './canonical';

/** A transaction of the application database; audit rows are written only inside one. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Advisory lock key that serialises audit appends across every process. */
export const AUDIT_CHAIN_LOCK = 7_301_201;

/** Action names: dotted lower-case words, such as `host.enroll` or `auth.login_failed`. */
const ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** A lone UTF-16 surrogate cannot be stored as UTF-8, so the stored text would differ from the hashed one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface AuditEntry {
  /** Actor, taken from the operation's context and never from request input. */
  actor: Actor;
  /** Action name, such as `job.create`. */
  action: string;
  /** Target of the action, such as `{ kind: 'host', id }`. */
  target?: { kind: string; id: string } | null;
  /** Facts about the change (for settings, old and new values); never secrets, tokens or their hashes. */
  details?: Record<string, unknown>;
}

/** Fields names that carry an actor's identifier, in order of preference, for actor kinds this file does not know. */
const ACTOR_ID_FIELDS = ['id', 'userId', 'hostId', 'tokenId', 'user', 'username', 'name'];

/**
 * Maps any actor to the audit columns. Unknown kinds are handled generically:
 * the id is the first string field of ACTOR_ID_FIELDS and the address is an
 * `address` field, so a new actor kind needs no change here.
 */
export function auditActorFields(actor: Actor): { kind: string; id: string | null; label: string; address: string | null } {
  const record = actor as unknown as Record<string, unknown>;
  const id = ACTOR_ID_FIELDS.map((field) => record[field]).find((value): value is string => typeof value === 'string') ?? null;
  const address = typeof record.address === 'string' ? record.address : null;
  const label = (actorLabel(actor) as string | undefined) ?? (id ? `${actor.kind}:${id}` : actor.kind);
  return { kind: actor.kind, id, label, address };
}

function checkText(name: string, value: string | null): void {
  if (value === null) return;
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) {
    throw new TypeError(`audit ${name}: contains a NUL character or a lone UTF-16 surrogate, which PostgreSQL cannot store as sent`);
  }
}

/**
 * Appends one row to the audit chain inside the caller's transaction, so the
 * row and the change it records commit or roll back together: if this throws,
 * the caller's change fails too.
 *
 * Appends are serialised by a transaction-scoped advisory lock, held until the
 * caller commits: the next writer reads the new head only after that. Call it
 * as the last statement of the transaction to keep the lock short and to avoid
 * lock-order deadlocks with row locks. It requires READ COMMITTED, because a
 * snapshot taken earlier in the transaction could miss the current head and
 * fork the chain.
 *
 * Throws AuditSecretError when `details` has a key that looks like a secret,
 * and TypeError for an invalid action or a value JSON cannot carry exactly.
 */
export async function writeAudit(tx: Transaction, entry: AuditEntry): Promise<{ id: number; rowHash: string }> {
  if (!ACTION_PATTERN.test(entry.action)) {
    throw new TypeError(`audit action "${entry.action}": expected dotted lower-case words such as host.enroll`);
  }
  // The JSON round trip turns Dates into ISO strings and drops undefined members,
  // so the hashed value is exactly what jsonb stores and returns.
  const details = JSON.parse(JSON.stringify(entry.details ?? {})) as unknown;
  assertNoSecrets(details);
  const detailsJson = canonicalJson(details);
  checkText('details', detailsJson);

  const actor = auditActorFields(entry.actor);
  const target = entry.target ?? null;
  for (const [name, value] of Object.entries({ ...actor, targetKind: target?.kind ?? null, targetId: target?.id ?? null })) {
    checkText(name, value);
  }

  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [head] = await tx.execute<{ id: string; occurred_at: string; prev_hash: string | null; isolation: string }>(sql`
    select nextval(pg_get_serial_sequence('audit_log', 'id'))::text as id,
      to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
      (select row_hash from audit_log order by id desc limit 1) as prev_hash,
      current_setting('transaction_isolation') as isolation`);
  if (!head) {
    throw new Error('audit head query returned no row');
  }
  if (head.isolation !== 'read committed') {
    throw new Error(`audit rows must be written in a READ COMMITTED transaction, not ${head.isolation}, or the chain could fork`);
  }

  const fields: AuditRowFields = {
    id: head.id,
    occurredAt: head.occurred_at,
    actorKind: actor.kind,
    actorId: actor.id,
    actorLabel: actor.label,
    clientAddress: actor.address,
    action: entry.action,
    targetKind: target?.kind ?? null,
    targetId: target?.id ?? null,
    details,
    prevHash: head.prev_hash ?? GENESIS_HASH,
  };
  const rowHash = hashAuditRow(fields);

  await tx.execute(sql`
    insert into audit_log (id, occurred_at, actor_kind, actor_id, actor_label, client_address, action,
      target_kind, target_id, details, prev_hash, row_hash)
    overriding system value
    values (${fields.id}::bigint, ${fields.occurredAt}::timestamptz, ${fields.actorKind}, ${fields.actorId},
      ${fields.actorLabel}, ${fields.clientAddress}, ${fields.action}, ${fields.targetKind}, ${fields.targetId},
      ${detailsJson}::jsonb, ${fields.prevHash}, ${rowHash})`);

  return { id: Number(fields.id), rowHash };
}
