import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditFilter } from '@/lib/audit/audit-filter';
import { csvCell, exportAuditCsv } from '@/lib/audit/export-audit-csv';
import { listAuditLog } from '@/lib/audit/list-audit-log';
import { writeAudit, type AuditEntry } from '@/lib/audit/write-audit';
import type { Actor, Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let ctx: Context;
const alice: Actor = { kind: 'console', address: '10.0.0.1' };
const worker: Actor = { kind: 'system', name: 'worker' };

async function append(entry: AuditEntry): Promise<void> {
  await database.app!.db.transaction((tx) => writeAudit(tx, entry));
}

function filter(query: string) {
  return parseAuditFilter(new URLSearchParams(query));
}

beforeAll(async () => {
  database = await createTestDatabase({ appRole: true });
  ctx = {
    actor: {
      kind: 'user',
      userId: '00000000-0000-4000-8000-0000000000ad',
      username: 'admin',
      role: 'admin',
      sessionId: '00000000-0000-4000-8000-0000000005e5',
      address: '10.0.0.9',
    },
    db: database.app!.db,
  };
  await append({ actor: alice, action: 'job.create', target: { kind: 'job', id: 'j1' }, details: { hostCount: 2 } });
  await append({ actor: worker, action: 'job.finish', target: { kind: 'job', id: 'j1' }, details: { status: 'succeeded' } });
  await append({ actor: alice, action: 'host.enroll', target: { kind: 'host', id: 'h1' }, details: { hostname: '=cmd|calc' } });
  await append({ actor: alice, action: 'settings.update', details: { setting: 'smtp.host', old: 'a', new: 'b, "c"\nd' } });
  await database.sql`update audit_log set occurred_at = '2025-01-01T00:00:00Z' where id = 1`;
});

afterAll(async () => {
  await database?.drop();
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('listAuditLog', () => {
  it('lists newest first with the total', async () => {
    const result = await listAuditLog(ctx, { filter: {}, page: 1, pageSize: 3 });

    expect(result.total).toBe(4);
    expect(result.items.map((row) => row.id)).toEqual([4, 3, 2]);
  });

  it('pages through the rows', async () => {
    const result = await listAuditLog(ctx, { filter: {}, page: 2, pageSize: 3 });

    expect(result.items.map((row) => row.id)).toEqual([1]);
  });

  it.each([
    ['actor=system:worker', [2]],
    ['actor=10.0.0.1', []],
    ['action=job.create', [1]],
    ['action=job.*', [2, 1]],
    ['target=job:j1', [2, 1]],
    ['target=host', [3]],
    ['target=h1', [3]],
    ['to=2025-01-02', [1]],
    ['from=2025-01-02T00:00Z', [4, 3, 2]],
  ])('filters by %s', async (query, ids) => {
    const result = await listAuditLog(ctx, { filter: filter(query), page: 1, pageSize: 50 });

    expect(result.items.map((row) => row.id)).toEqual(ids);
    expect(result.total).toBe(ids.length);
  });

  it('rejects a malformed time', () => {
    expect(() => filter('from=yesterday')).toThrow(ValidationError);
  });
});

describe('audit CSV export', () => {
  it('neutralises formula cells', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('plain')).toBe('plain');
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell(null)).toBe('');
  });

  it('streams the filtered rows oldest first', async () => {
    const text = await readAll(exportAuditCsv(ctx, filter('actor=console@10.0.0.1')));
    const lines = text.trimEnd().split('\r\n');

    expect(lines[0]).toBe('id,occurred_at,actor_kind,actor_id,actor_label,client_address,action,target_kind,target_id,details,prev_hash,row_hash');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['1', '3', '4']);
    expect(lines[1]).toContain('2025-01-01T00:00:00.000000Z');
    expect(text).toContain('"{""hostname"":""=cmd|calc""}"');
    expect(text).toContain('\\n');
  });
});
