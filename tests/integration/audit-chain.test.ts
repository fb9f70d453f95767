import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditSecretError, isSecretKey } from '@/lib/audit/assert-no-secrets';
import { AUDIT_ENCODING_VERSION, canonicalJson, GENESIS_HASH, hashAuditRow } from '@/lib/audit/canonical';
import { auditPaths, readCheckpoints, type AuditPaths } from '@/lib/audit/checkpoint-files';
import { createAuditCheckpoint } from '@/lib/audit/create-audit-checkpoint';
import { verifyAuditChain } from '@/lib/audit/verify-audit-chain';
import { writeAudit, type AuditEntry } from '@/lib/audit/write-audit';
import type { Actor } from '@/lib/context';
import { openDatabase } from '@/lib/db/client';
import { getLogger } from '@/lib/log';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let tempDir: string;
let paths: AuditPaths;
const log = getLogger({ level: 'silent' });
const console: Actor = { kind: 'console', address: '127.0.0.1' };

async function append(entry: Partial<AuditEntry> = {}): Promise<number> {
  const written = await database.db.transaction((tx) =>
    writeAudit(tx, { actor: console, action: 'test.event', target: { kind: 'host', id: 'h1' }, details: { n: 1 }, ...entry }),
  );
  return written.id;
}

async function appendMany(count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await append({ details: { index } });
  }
}

async function checkpointsOf(): Promise<{ publicKeyPem: string; entries: Awaited<ReturnType<typeof readCheckpoints>>['entries'] }> {
  return { publicKeyPem: fs.readFileSync(paths.publicKeyFile, 'utf8'), entries: (await readCheckpoints(paths)).entries };
}

interface StoredRow {
  id: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string;
  client_address: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  details: unknown;
  prev_hash: string;
  row_hash: string;
}

async function storedRows(fromId = 0): Promise<StoredRow[]> {
  return database.sql<StoredRow[]>`
    select id::text, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
      actor_kind, actor_id, actor_label, client_address, action, target_kind, target_id, details, prev_hash, row_hash
    from audit_log where audit_log.id >= ${fromId} order by audit_log.id`;
}

function rehash(row: StoredRow, prevHash: string): string {
  return hashAuditRow({
    id: row.id,
    occurredAt: row.occurred_at,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    clientAddress: row.client_address,
    action: row.action,
    targetKind: row.target_kind,
    targetId: row.target_id,
    details: row.details,
    prevHash,
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-audit-'));
});

afterAll(async () => {
  await database?.drop();
  fs.rmSync(tempDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await database.sql`truncate audit_log, audit_checkpoints restart identity`;
  const dir = fs.mkdtempSync(path.join(tempDir, 'case-'));
  paths = auditPaths({ configDir: dir, dataDir: dir });
});

describe('canonical encoding', () => {
  it('matches an independent construction', () => {
    const fields = {
      id: '7',
      occurredAt: '2025-01-31T09:15:02.123456Z',
      actorKind: 'console',
      actorId: null,
      actorLabel: 'console@::1',
      clientAddress: '::1',
      action: 'job.create',
      targetKind: 'job',
      targetId: 'j-1',
      details: { zeta: [1, 'ü'], alpha: { b: true, a: null } },
      prevHash: GENESIS_HASH,
    };
    const parts = [AUDIT_ENCODING_VERSION, '7', fields.occurredAt, 'console', null, 'console@::1', '::1', 'job.create', 'job', 'j-1',
      '{"alpha":{"a":null,"b":true},"zeta":[1,"ü"]}', GENESIS_HASH];
    const buffers = parts.map((part) => {
      const length = Buffer.alloc(4);
      if (part === null) {
        length.writeUInt32BE(0xffffffff);
        return length;
      }
      const bytes = Buffer.from(part, 'utf8');
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    });
    const expected = crypto.createHash('sha256').update(Buffer.concat(buffers)).digest('hex');

    expect(hashAuditRow(fields)).toBe(expected);
  });

  it('distinguishes null from empty text', () => {
    const base = { id: '1', occurredAt: 't', actorKind: 'system', actorId: null, actorLabel: 'system:x', clientAddress: null,
      action: 'a.b', targetKind: null, targetId: null, details: {}, prevHash: GENESIS_HASH };
    expect(hashAuditRow(base)).not.toBe(hashAuditRow({ ...base, actorId: '' }));
  });

  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"x":2,"y":1}]},"b":1}');
  });
});

describe('writeAudit', () => {
  it('links each row to the previous one', async () => {
    await appendMany(3);
    const rows = await storedRows();

    expect(rows.map((row) => row.id)).toEqual(['1', '2', '3']);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.row_hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.row_hash);
  });

  it('stores microseconds and verifies them exactly', async () => {
    await appendMany(2);
    const rows = await storedRows();

    expect(rows[0]!.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect((await verifyAuditChain(database.db)).integrity).toBe(true);
  });

  it.each([
    [{ password: 'hunter2' }],
    [{ smtp: { authToken: 'abc' } }],
    [{ tokenHash: 'ab12' }],
    [{ list: [{ clientSecret: 'x' }] }],
    [{ apiKey: 'x' }],
    [{ key: 'x' }],
    [{ sessionCookie: 'x' }],
    [{ wsTicket: 'x' }],
    [{ note: '-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----' }],
  ])('rejects secret details %j', async (details) => {
    await expect(append({ details })).rejects.toBeInstanceOf(AuditSecretError);
    expect(await storedRows()).toEqual([]);
  });

  it('accepts identifiers and counts of secrets', () => {
    expect(isSecretKey('tokenId')).toBe(false);
    expect(isSecretKey('enrollmentTokenId')).toBe(false);
    expect(isSecretKey('recoveryCodeCount')).toBe(false);
    expect(isSecretKey('hostname')).toBe(false);
    expect(isSecretKey('certificateFingerprint')).toBe(false);
  });

  it('rejects an invalid action name', async () => {
    await expect(append({ action: 'Job Create' })).rejects.toThrow(/expected dotted lower-case words/);
  });

  it('rejects a repeatable read transaction', async () => {
    const attempt = database.db.transaction((tx) => writeAudit(tx, { actor: console, action: 'test.event' }), {
      isolationLevel: 'repeatable read',
    });
    await expect(attempt).rejects.toThrow(/READ COMMITTED/);
  });

  it('encodes unknown actor kinds generically', async () => {
    const actor = { kind: 'user', userId: 'u-42', username: 'alice', address: '10.0.0.5' } as unknown as Actor;
    await append({ actor });
    const [row] = await storedRows();

    expect(row!.actor_kind).toBe('user');
    expect(row!.actor_id).toBe('u-42');
    expect(row!.client_address).toBe('10.0.0.5');
    expect((await verifyAuditChain(database.db)).integrity).toBe(true);
  });

  it('keeps one chain under 20 concurrent writers', async () => {
    const writers = Array.from({ length: 20 }, () => openDatabase(database.url, { max: 1, applicationName: 'pm-test-writer' }));
    try {
      await Promise.all(
        writers.map(async (writer, index) => {
          for (let round = 0; round < 5; round += 1) {
            await writer.db.transaction((tx) => writeAudit(tx, { actor: console, action: 'test.concurrent', details: { writer: index, round } }));
          }
        }),
      );
    } finally {
      await Promise.all(writers.map((writer) => writer.close()));
    }

    const result = await verifyAuditChain(database.db, { batchSize: 7 });
    expect(result.integrity).toBe(true);
    expect(result.rowsChecked).toBe(100);
    const [distinct] = await database.sql<{ prev: number }[]>`select count(distinct prev_hash)::int as prev from audit_log`;
    expect(distinct!.prev).toBe(100);
  });
});

describe('verifyAuditChain', () => {
  it('passes an intact chain across batch boundaries', async () => {
    await appendMany(10);
    const result = await verifyAuditChain(database.db, { batchSize: 3 });

    expect(result).toMatchObject({ integrity: true, rowsChecked: 10, firstBroken: null });
    expect(result.lastRow?.id).toBe(10);
  });

  it('detects an edited field', async () => {
    await appendMany(10);
    await database.sql`update audit_log set details = '{"index": 99}' where id = 4`;
    const result = await verifyAuditChain(database.db, { batchSize: 3 });

    expect(result.integrity).toBe(false);
    expect(result.firstBroken?.id).toBe(4);
    expect(result.firstBroken?.reason).toMatch(/field of this row was changed/);
    expect(result.rowsChecked).toBe(3);
  });

  it('detects an edited actor', async () => {
    await appendMany(5);
    await database.sql`update audit_log set actor_label = 'console@10.9.9.9' where id = 2`;

    expect((await verifyAuditChain(database.db)).firstBroken?.id).toBe(2);
  });

  it('detects a deleted row', async () => {
    await appendMany(10);
    await database.sql`delete from audit_log where id = 5`;
    const result = await verifyAuditChain(database.db, { batchSize: 4 });

    expect(result.integrity).toBe(false);
    expect(result.firstBroken?.id).toBe(6);
    expect(result.firstBroken?.reason).toMatch(/deleted or inserted/);
  });

  it('detects a deleted first row', async () => {
    await appendMany(3);
    await database.sql`delete from audit_log where id = 1`;

    expect((await verifyAuditChain(database.db)).firstBroken).toMatchObject({ id: 2, reason: expect.stringMatching(/genesis/) });
  });

  it('detects two swapped rows', async () => {
    await appendMany(10);
    await database.sql`
      update audit_log a set occurred_at = b.occurred_at, actor_kind = b.actor_kind, actor_id = b.actor_id,
        actor_label = b.actor_label, client_address = b.client_address, action = b.action, target_kind = b.target_kind,
        target_id = b.target_id, details = b.details, prev_hash = b.prev_hash, row_hash = b.row_hash
      from audit_log b where (a.id, b.id) in ((3, 7), (7, 3))`;
    const result = await verifyAuditChain(database.db);

    expect(result.integrity).toBe(false);
    expect(result.firstBroken?.id).toBe(3);
  });

  it('detects an inserted row', async () => {
    await appendMany(10);
    // A rolled-back append leaves a gap in the ids that an attacker can fill.
    await expect(
      database.db.transaction(async (tx) => {
        await writeAudit(tx, { actor: console, action: 'test.event' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await append();
    const [row10] = await storedRows(10);
    const forged: StoredRow = { ...row10!, id: '11', action: 'host.remove', details: { reason: 'forged' }, prev_hash: row10!.row_hash };
    forged.row_hash = rehash(forged, forged.prev_hash);
    await database.sql`
      insert into audit_log (id, occurred_at, actor_kind, actor_id, actor_label, client_address, action, target_kind, target_id,
        details, prev_hash, row_hash) overriding system value
      values (11, ${forged.occurred_at}::timestamptz, ${forged.actor_kind}, ${forged.actor_id}, ${forged.actor_label}, ${forged.client_address},
        ${forged.action}, ${forged.target_kind}, ${forged.target_id}, ${JSON.stringify(forged.details)}::jsonb, ${forged.prev_hash}, ${forged.row_hash})`;
    const result = await verifyAuditChain(database.db);

    expect(result.integrity).toBe(false);
    expect(result.rowsChecked).toBe(11);
    expect(result.firstBroken?.id).toBe(12);
  });

  it('detects a truncated tail through checkpoints', async () => {
    await appendMany(10);
    expect((await createAuditCheckpoint({ db: database.db, paths, log })).status).toBe('signed');
    await database.sql`delete from audit_log where id >= 8`;

    expect((await verifyAuditChain(database.db)).integrity).toBe(true);
    const result = await verifyAuditChain(database.db, { checkpoints: await checkpointsOf() });
    expect(result.integrity).toBe(false);
    expect(result.firstBroken?.id).toBe(10);
    expect(result.firstBroken?.reason).toMatch(/tail of the chain was truncated/);
    expect(result.checkpoint.status).toBe('failed');
  });

  it('detects a chain recomputed by the owner through checkpoints', async () => {
    await appendMany(5);
    await createAuditCheckpoint({ db: database.db, paths, log });
    await appendMany(5);
    await createAuditCheckpoint({ db: database.db, paths, log });

    // The owner edits row 3 and recomputes every hash from there, so the chain itself is consistent.
    let prevHash = (await storedRows(2))[0]!.row_hash;
    for (const row of await storedRows(3)) {
      const edited = row.id === '3' ? { ...row, details: { index: 'rewritten' } } : row;
      const rowHash = rehash(edited, prevHash);
      await database.sql`update audit_log set details = ${JSON.stringify(edited.details)}::jsonb, prev_hash = ${prevHash},
        row_hash = ${rowHash} where id = ${row.id}`;
      prevHash = rowHash;
    }

    expect((await verifyAuditChain(database.db)).integrity).toBe(true);
    const result = await verifyAuditChain(database.db, { checkpoints: await checkpointsOf() });
    expect(result.integrity).toBe(false);
    expect(result.firstBroken?.id).toBe(5);
    expect(result.firstBroken?.reason).toMatch(/chain was rewritten/);
  });

  it('rejects a checkpoint with a forged signature', async () => {
    await appendMany(3);
    await createAuditCheckpoint({ db: database.db, paths, log });
    const { entries, publicKeyPem } = await checkpointsOf();
    const forged = { ...entries[0]!, rowId: 2, rowHash: (await storedRows(2))[0]!.row_hash };
    const result = await verifyAuditChain(database.db, { checkpoints: { publicKeyPem, entries: [...entries, forged] } });

    expect(result.integrity).toBe(false);
    expect(result.checkpoint.status).toBe('failed');
    expect(result.firstBroken?.reason).toMatch(/invalid signature/);
  });
});

describe('createAuditCheckpoint', () => {
  it('writes a signed line and a private key with mode 0600', async () => {
    await appendMany(4);
    const outcome = await createAuditCheckpoint({ db: database.db, paths, log });

    expect(outcome.status).toBe('signed');
    expect(fs.statSync(paths.keyFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(paths.keyFile)).mode & 0o777).toBe(0o700);
    const { entries } = await readCheckpoints(paths);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ rowId: 4, rowHash: (await storedRows(4))[0]!.row_hash });
    const [copy] = await database.sql<{ row_id: string }[]>`select row_id::text from audit_checkpoints`;
    expect(copy!.row_id).toBe('4');
  });

  it('skips a head that has not moved', async () => {
    await appendMany(2);
    await createAuditCheckpoint({ db: database.db, paths, log });

    expect((await createAuditCheckpoint({ db: database.db, paths, log })).status).toBe('unchanged');
    expect((await readCheckpoints(paths)).entries).toHaveLength(1);
  });

  it('does not sign a rewritten chain', async () => {
    await appendMany(3);
    await createAuditCheckpoint({ db: database.db, paths, log });
    await appendMany(2);
    await database.sql`update audit_log set row_hash = ${'f'.repeat(64)} where id = 3`;
    const outcome = await createAuditCheckpoint({ db: database.db, paths, log });

    expect(outcome.status).toBe('refused');
    expect((await readCheckpoints(paths)).entries).toHaveLength(1);
  });
});
