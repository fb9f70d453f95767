import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CRL_REFRESH_BEFORE_MS, CRL_VALIDITY_MS, latestCrl, publishCrl } from '@/lib/certificates/publish-crl';
import type { Context } from '@/lib/context';
import { certificates, certificateRevocationLists, hosts } from '@/lib/db/schema';
import { ensurePki, type PkiMaterial } from '@/lib/pki/ensure-pki';
import { readCaKey } from '@/lib/pki/ca-key';
import { runCertificateMaintenance } from '@/workers/tasks/certificate-maintenance';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// The worker's daily certificate upkeep against a real database: the CRL is signed
// again before its nextUpdate, and active host certificates close to expiry are
// reported at warn level.

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;

let database: TestDatabase;
let workDir: string;
let pki: PkiMaterial;
let ctx: Context;

/** Creates a pino logger that keeps every line in memory, so a test can read what the worker logged. */
function capturingLogger(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

async function insertCertificate(hostname: string, notAfter: Date, options: { removed?: boolean; status?: 'active' | 'revoked' } = {}) {
  const [host] = await database.db
    .insert(hosts)
    .values({ hostname, ...(options.removed ? { removedAt: new Date() } : {}) })
    .returning({ id: hosts.id });
  const serial = Buffer.from(hostname).toString('hex').slice(0, 32);
  await database.db.insert(certificates).values({
    hostId: host!.id,
    serial,
    fingerprint: serial.padEnd(64, '0'),
    notBefore: new Date(notAfter.getTime() - 90 * DAY_MS),
    notAfter,
    status: options.status ?? 'active',
  });
  return { hostId: host!.id, serial };
}

/** Returns the nextUpdate that `openssl crl` reads from a DER CRL. */
async function opensslNextUpdate(der: Buffer): Promise<Date> {
  const file = path.join(workDir, `crl-${Date.now()}.der`);
  await writeFile(file, der);
  const { stdout } = await run('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-nextupdate']);
  return new Date(stdout.trim().replace(/^nextUpdate=/, ''));
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-cert-maintenance-'));
  pki = await ensurePki({ configDir: workDir, hostNames: ['localhost'] });
  database = await createTestDatabase();
  ctx = { actor: { kind: 'system', name: 'certificate-maintenance-test' }, db: database.db };
}, 120_000);

afterAll(async () => {
  await database?.drop();
  await rm(workDir, { recursive: true, force: true });
});

describe('publishCrl', () => {
  beforeEach(async () => {
    await database.db.delete(certificateRevocationLists);
  });

  it('keeps a current CRL', async () => {
    const now = new Date();
    const first = await publishCrl({ db: database.db, caCertPem: pki.caCertPem, readCaKey: () => readCaKey(workDir), now });

    const again = await publishCrl({
      db: database.db,
      caCertPem: pki.caCertPem,
      readCaKey: () => Promise.reject(new Error('the CA key must not be read for a current CRL')),
      now: new Date(now.getTime() + DAY_MS),
    });

    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.crl.number).toBe(first.crl.number);
  });

  it('signs a new CRL before nextUpdate', async () => {
    const now = new Date();
    const first = await publishCrl({ db: database.db, caCertPem: pki.caCertPem, readCaKey: () => readCaKey(workDir), now });
    const dueAt = new Date(first.crl.nextUpdate.getTime() - CRL_REFRESH_BEFORE_MS + 60_000);

    const renewed = await publishCrl({ db: database.db, caCertPem: pki.caCertPem, readCaKey: () => readCaKey(workDir), now: dueAt });

    expect(renewed.created).toBe(true);
    expect(renewed.crl.number).toBe(first.crl.number + 1);
    expect(renewed.crl.nextUpdate.getTime()).toBeGreaterThan(first.crl.nextUpdate.getTime());
    expect(renewed.crl.nextUpdate.getTime() - dueAt.getTime()).toBeGreaterThan(CRL_VALIDITY_MS - 10 * 60_000);
    expect((await opensslNextUpdate(renewed.crl.der)).getTime()).toBe(renewed.crl.nextUpdate.getTime());
    expect((await latestCrl(database.db))?.number).toBe(renewed.crl.number);
  });
});

describe('runCertificateMaintenance', () => {
  it('warns about certificates near expiry only', async () => {
    const soon = await insertCertificate('expires-soon', new Date(Date.now() + 3 * DAY_MS));
    const later = await insertCertificate('expires-later', new Date(Date.now() + 60 * DAY_MS));
    const removed = await insertCertificate('removed-host', new Date(Date.now() + 3 * DAY_MS), { removed: true });
    const revoked = await insertCertificate('revoked-host', new Date(Date.now() + 3 * DAY_MS), { status: 'revoked' });
    const { log, lines } = capturingLogger();

    await runCertificateMaintenance(ctx, log, workDir);
    const warned = lines()
      .filter((line) => line.level === 40)
      .map((line) => line.serial);

    expect(warned).toContain(soon.serial);
    expect(warned).not.toContain(later.serial);
    expect(warned).not.toContain(removed.serial);
    expect(warned).not.toContain(revoked.serial);
  });

  it('publishes a CRL that is due', async () => {
    await database.db.delete(certificateRevocationLists);
    const stale = await publishCrl({
      db: database.db,
      caCertPem: pki.caCertPem,
      readCaKey: () => readCaKey(workDir),
      now: new Date(Date.now() - CRL_VALIDITY_MS + DAY_MS),
    });
    const { log, lines } = capturingLogger();

    await runCertificateMaintenance(ctx, log, workDir);
    const latest = await latestCrl(database.db);

    expect(latest?.number).toBe(stale.crl.number + 1);
    expect(latest!.nextUpdate.getTime()).toBeGreaterThan(Date.now() + CRL_REFRESH_BEFORE_MS);
    expect(lines().some((line) => line.crlNumber === latest!.number)).toBe(true);
  });
});
