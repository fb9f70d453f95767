import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@/agent/exec';
import { InventoryReporter, type InventoryAnswer } from '@/agent/inventory';
import { createAgentLogger } from '@/agent/log';
import { createAptBackend } from '@/agent/package-managers/apt/backend';
import type { InventoryReport, InventorySection } from '@/lib/agent-protocol/schema';
import type { Context } from '@/lib/context';
import { ingestInventory } from '@/lib/hosts/ingest-inventory';
import { createAptTestRoot, type AptTestRoot } from '../helpers/apt-repo';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// The agent's inventory reporter with the real apt backend on an isolated root,
// posting into the server's real ingest function and database. Each check-in
// sends a section body only when its hash changed since the server acknowledged it.

let database: TestDatabase;
let aptRoot: AptTestRoot;
let stateDir: string;
let hostId: string;
let reporter: InventoryReporter;
const posted: InventoryReport[] = [];
const answers: InventoryAnswer[] = [];

const BODY_KEYS: readonly InventorySection[] = ['facts', 'packages', 'updates', 'reboot'];

function sentBodies(report: InventoryReport): InventorySection[] {
  return BODY_KEYS.filter((section) => report[section] !== undefined);
}

async function hostRow() {
  const [row] = await database.sql<{ installed: number; pending: number; security: number }[]>`
    select installed_count as installed, pending_count as pending, security_count as security from hosts where id = ${hostId}`;
  return row!;
}

beforeAll(async () => {
  database = await createTestDatabase();
  aptRoot = await createAptTestRoot();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'pm-inventory-state-'));
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname) values ('reporter-host') returning id`;
  hostId = row!.id;

  const ctx: Context = { actor: { kind: 'agent', hostId, address: '127.0.0.1' }, db: database.db };
  const backend = createAptBackend({
    aptConfig: aptRoot.aptConfigPath,
    rebootRequiredPath: path.join(aptRoot.root, 'run/reboot-required'),
    runningKernel: '6.1.0-2-pmtest',
  });
  reporter = new InventoryReporter({
    backend,
    agentVersion: '0.0.0-test',
    statePath: path.join(stateDir, 'state.json'),
    log: createAgentLogger({ level: 'silent' }),
    post: async (report) => {
      posted.push(structuredClone(report));
      const answer = await ingestInventory(ctx, report);
      answers.push(answer);
      return answer;
    },
  });
}, 180_000);

afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
  await aptRoot?.cleanup();
  await database?.drop();
});

describe('InventoryReporter against the server', () => {
  it('sends every section on the first check-in', async () => {
    posted.length = 0;
    await reporter.checkIn({ full: false });

    expect(posted).toHaveLength(1);
    expect(sentBodies(posted[0]!)).toEqual(BODY_KEYS);
    expect(answers.at(-1)?.written.sort()).toEqual([...BODY_KEYS].sort());
    const row = await hostRow();
    expect(row.installed).toBe(posted[0]!.packages!.length);
    expect(row.pending).toBe(3);
    expect(row.security).toBe(1);
  });

  it('sends only hashes when nothing changed', async () => {
    posted.length = 0;
    await reporter.checkIn({ full: false });

    expect(posted).toHaveLength(1);
    expect(sentBodies(posted[0]!)).toEqual([]);
    expect(Object.keys(posted[0]!.hashes).sort()).toEqual([...BODY_KEYS].sort());
    expect(answers.at(-1)).toEqual({ missing: [], written: [] });
  });

  it('sends the changed sections after an upgrade', async () => {
    const upgrade = await runCommand({
      command: 'apt-get',
      args: ['-y', '-q', 'install', '--only-upgrade', 'pm-test-hello'],
      env: aptRoot.env,
      timeoutMs: 60_000,
    });
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);

    posted.length = 0;
    await reporter.checkIn({ full: false });

    expect(posted).toHaveLength(1);
    expect(sentBodies(posted[0]!)).toEqual(['packages', 'updates']);
    expect((await hostRow()).pending).toBe(2);
  });

  it('resends a section the server lists as missing', async () => {
    await database.sql`update hosts set packages_hash = null where id = ${hostId}`;

    posted.length = 0;
    await reporter.checkIn({ full: false });

    expect(posted).toHaveLength(2);
    expect(sentBodies(posted[0]!)).toEqual([]);
    expect(answers.at(-2)?.missing).toEqual(['packages']);
    expect(sentBodies(posted[1]!)).toEqual(['packages']);
    expect(answers.at(-1)?.written).toEqual(['packages']);
  });

  it('sends every section on a full check-in', async () => {
    posted.length = 0;
    await reporter.checkIn({ full: true });

    expect(posted).toHaveLength(1);
    expect(sentBodies(posted[0]!)).toEqual(BODY_KEYS);
    expect(answers.at(-1)?.written).toEqual([]);
  });
});
