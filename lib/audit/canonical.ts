import { createHash, type Hash } from 'node:crypto';

/** `prev_hash` of the first row: 64 zero digits, since no row precedes it. */
export const GENESIS_HASH = '0'.repeat(64);

/** First field of every encoded row; a new encoding gets a new tag. */
export const AUDIT_ENCODING_VERSION = 'pm-audit-v1';

/** Length prefix that marks a SQL NULL, so null and the empty string differ. */
const NULL_LENGTH = 0xffff_ffff;

/**
 * The fields of one audit row in the form they are hashed. `occurredAt` is the
 * PostgreSQL text form in UTC with microseconds (`2025-01-31T09:15:02.123456Z`),
 * produced by `to_char` on both the write and the verify side, so no JavaScript
 * Date (millisecond precision) ever sits between the stored value and the hash.
 */
export interface AuditRowFields {
  /** The row id in decimal. */
  id: string;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  actorLabel: string;
  clientAddress: string | null;
  action: string;
  targetKind: string | null;
  targetId: string | null;
  /** A JSON value: null, boolean, finite number, string, array or plain object. */
  details: unknown;
  prevHash: string;
}

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code unit
 * order (JavaScript's default sort), no whitespace, strings and numbers as
 * `JSON.stringify` writes them. Throws on values JSON cannot carry exactly.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';

  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`audit details: ${value} is not a finite number and has no JSON form`);
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError('audit details: only plain objects, arrays and primitives are allowed; convert dates to ISO strings');
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`audit details: a ${typeof value} has no JSON form`);
  }
}

function updateField(hash: Hash, value: string | null): void {
  const length = Buffer.alloc(4);
  if (value === null) {
    length.writeUInt32BE(NULL_LENGTH);
    hash.update(length);
    return;
  }
  length.writeUInt32BE(Buffer.byteLength(value, 'utf8'));
  hash.update(length);
  hash.update(value, 'utf8');
}

/**
 * Computes a row's `row_hash`: SHA-256, in lower-case hex, over the fields in
 * this fixed order, each as a 4-byte big-endian byte length and its UTF-8
 * bytes (NULL as length 0xFFFFFFFF and no bytes): version tag, id, occurred_at,
 * actor_kind, actor_id, actor_label, client_address, action, target_kind,
 * target_id, canonical JSON of details, prev_hash.
 */
export function hashAuditRow(fields: AuditRowFields): string {
  const hash = createHash('sha256');
  updateField(hash, AUDIT_ENCODING_VERSION);
  updateField(hash, fields.id);
  updateField(hash, fields.occurredAt);
  updateField(hash, fields.actorKind);
  updateField(hash, fields.actorId);
  updateField(hash, fields.actorLabel);
  updateField(hash, fields.clientAddress);
  updateField(hash, fields.action);
  updateField(hash, fields.targetKind);
  updateField(hash, fields.targetId);
  updateField(hash, canonicalJson(fields.details));
  updateField(hash, fields.prevHash);
  return hash.digest('hex');
}

/** SQL expression that renders a timestamptz column as the `occurredAt` text form. */
export const OCCURRED_AT_TEXT = `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
