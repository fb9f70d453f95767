import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';
import { ingestInventory } from '@/lib/hosts/ingest-inventory';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let hostId: string;

const hash = (value: unknown) => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');

const facts = {
  hostname: 'db-1',
  osId: 'debian',
  osName: 'Debian GNU/Linux',
  osVersion: '12',
  osCodename: 'bookworm',
  kernelRunning: '6.1.0-28-amd64',
  kernelNewest: '6.1.0-28-amd64',
  architecture: 'amd64',
  uptimeSeconds: 3600,
  ipAddresses: ['192.0.2.10'],
  agentVersion: '0.1.0',
  packageManager: 'apt' as const,
};

function pkg(name: string, version: string) {
  return { name, version, arch: 'amd64', source: '', state: 'installed' as 'installed' | 'half-configured', held: false, broken: false };
}

function update(name: string, security: boolean) {
  return { name, arch: 'amd64', installed: '1.0', candidate: '1.1', repository: 'bookworm', security, held: false, phased: false, advisories: [] };
}

const reboot = { required: 'no' as const, reason: 'running kernel is the newest', packages: [] };

function fullReport(packages = [pkg('openssl', '3.0.15-1'), pkg('bash', '5.2.15-2')], updates = [update('openssl', true)]) {
  return {
    hashes: { facts: hash(facts), packages: hash(packages), updates: hash(updates), reboot: hash(reboot) },
    facts,
    packages,
    updates,
    reboot,
  };
}

function agentContext(): Context {
  return { actor: { kind: 'agent', hostId, address: '127.0.0.1' }, db: database.db };
}

async function counts() {
  const [row] = await database.sql<{ installed: number; pending: number; security: number; packages: number }[]>`
    select installed_count as installed, pending_count as pending, security_count as security,
      (select count(*)::int from host_packages where host_id = ${hostId}) as packages
    from hosts where id = ${hostId}`;
  return row!;
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`delete from hosts`;
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname) values ('db-1') returning id`;
  hostId = row!.id;
});

describe('ingestInventory', () => {
  it('writes every section of a first report', async () => {
    const result = await ingestInventory(agentContext(), fullReport());

    expect(result).toEqual({ missing: [], written: ['facts', 'packages', 'updates', 'reboot'] });
    expect(await counts()).toEqual({ installed: 2, pending: 1, security: 1, packages: 2 });
  });

  it('writes nothing for a report whose hashes all match', async () => {
    const report = fullReport();
    await ingestInventory(agentContext(), report);
    const result = await ingestInventory(agentContext(), { hashes: report.hashes });

    expect(result).toEqual({ missing: [], written: [] });
    expect(await counts()).toEqual({ installed: 2, pending: 1, security: 1, packages: 2 });
  });

  it('asks for a changed section that was not sent', async () => {
    await ingestInventory(agentContext(), fullReport());
    const changed = fullReport([pkg('openssl', '3.0.16-1')]);
    const result = await ingestInventory(agentContext(), { hashes: changed.hashes });

    expect(result.missing).toEqual(['packages']);
    expect(result.written).toEqual([]);
  });

  it('replaces the package list when its hash changes', async () => {
    await ingestInventory(agentContext(), fullReport());
    const changed = fullReport([pkg('openssl', '3.0.16-1')], []);
    await ingestInventory(agentContext(), changed);
    const rows = await database.sql`select name, version from host_packages where host_id = ${hostId}`;

    expect(rows).toEqual([{ name: 'openssl', version: '3.0.16-1' }]);
    expect(await counts()).toEqual({ installed: 1, pending: 0, security: 0, packages: 1 });
  });

  it('keeps the first-seen time of an update across reports', async () => {
    await ingestInventory(agentContext(), fullReport());
    await database.sql`update host_updates set first_seen_at = now() - interval '10 days'`;
    await ingestInventory(agentContext(), fullReport(undefined, [update('openssl', true), update('bash', false)]));
    const rows = await database.sql<{ name: string; old: boolean }[]>`
      select name, first_seen_at < now() - interval '9 days' as old from host_updates order by name`;

    expect(rows).toEqual([
      { name: 'bash', old: false },
      { name: 'openssl', old: true },
    ]);
  });

  it('stores a duplicated package once', async () => {
    await ingestInventory(agentContext(), fullReport([pkg('bash', '5.2'), pkg('bash', '5.2')]));

    expect((await counts()).packages).toBe(1);
  });

  it('stores names, versions and sources with array and quoting characters unchanged', async () => {
    const odd = [
      { ...pkg('NULL', '1:2.0~rc1+dfsg-1'), source: '' },
      { ...pkg('quote"back\\slash', '1.0,2'), source: '{braces}' },
      { ...pkg('space name', 'v 1'), source: 'NULL', held: true, broken: true, state: 'half-configured' as const },
    ];
    await ingestInventory(agentContext(), fullReport(odd));

    const rows = await database.sql<{ name: string; version: string; source: string; state: string; held: boolean; broken: boolean }[]>`
      select name, version, source, state, held, broken from host_packages where host_id = ${hostId} order by name`;
    expect(rows).toEqual(
      odd
        .map(({ name, version, source, state, held, broken }) => ({ name, version, source, state, held, broken }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    expect((await counts()).installed).toBe(3);
  });

  it('rejects a malformed report and writes nothing', async () => {
    const report = { ...fullReport(), packages: [{ ...pkg('bash', '5.2'), held: 'yes' }] };

    await expect(ingestInventory(agentContext(), report)).rejects.toThrow(ValidationError);
    expect(await counts()).toEqual({ installed: 0, pending: 0, security: 0, packages: 0 });
  });

  it('rejects unknown keys', async () => {
    const report = { ...fullReport(), hostId: '00000000-0000-4000-8000-000000000000' };

    await expect(ingestInventory(agentContext(), report)).rejects.toThrow(/hostId|unrecognized/i);
  });

  it('rejects a report from a non-agent actor', async () => {
    const ctx: Context = { actor: { kind: 'console', address: '127.0.0.1' }, db: database.db };

    await expect(ingestInventory(ctx, fullReport())).rejects.toThrow(ValidationError);
  });
});
