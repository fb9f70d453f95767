import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPaths, readCheckpointPublicKey, readCheckpoints } from '@/lib/audit/checkpoint-files';
import { createAuditCheckpoint } from '@/lib/audit/create-audit-checkpoint';
import { verifyAuditChain } from '@/lib/audit/verify-audit-chain';
import { writeAudit } from '@/lib/audit/write-audit';
import { ensureSigningKey } from '@/lib/auth/signing-keys';
import { openDatabase, type DatabaseHandle } from '@/lib/db/client';
import { runMigrations } from '@/lib/db/migrate';
import { getLogger } from '@/lib/log';
import { ensurePki } from '@/lib/pki/ensure-pki';
import { DEBIAN_PG_BIN, startDebianPostgres, type DebianPostgres } from './debian-postgres';

const root = path.resolve(import.meta.dirname, '..', '..');
const backupScript = path.join(root, 'deploy', 'backup.sh');
const restoreScript = path.join(root, 'deploy', 'restore.sh');

const smtpPassword = `smtp-pass-${crypto.randomBytes(8).toString('hex')}`;
const ssoSecret = `sso-secret-${crypto.randomBytes(8).toString('hex')}`;
const totpSecret = `TOTPSECRET${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
const databasePassword = `db-pass-${crypto.randomBytes(8).toString('hex')}`;

let cluster: DebianPostgres;
let work: string;
let gnupgHome: string;
let recipient: string;
let sourceConfigDir: string;
let sourceDataDir: string;
let source: DatabaseHandle;
let backupDir: string;
let plainArchive: string;
let secretsArchive: string;

function run(program: string, args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(program, args, { encoding: 'utf8', env: { ...process.env, GNUPGHOME: gnupgHome, ...env } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

async function createDatabase(name: string): Promise<void> {
  const admin = postgres(cluster.url('postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
}

/** Counts the rows of every table outside the system schemas, keyed by schema.table. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const tables = await sql<{ name: string }[]>`
    select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables
    where schemaname not in ('pg_catalog', 'information_schema') order by 1`;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await sql.unsafe<{ n: string }[]>(`select count(*) as n from ${table.name}`);
    counts[table.name] = Number(row?.n);
  }
  await sql.end();
  return counts;
}

/** Returns the mode and SHA-256 of every file under a directory, keyed by relative path. */
function fileDigests(dir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const mode = (fs.statSync(file).mode & 0o777).toString(8);
    digests[path.relative(dir, file)] = `${mode} ${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  }
  return digests;
}

/** Reads every file under a directory as Latin-1 text, for searching. */
function allText(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'latin1'))
    .join('\n');
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-backup-'));
  gnupgHome = path.join(work, 'gnupg');
  fs.mkdirSync(gnupgHome, { mode: 0o700 });
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-generate-key', 'Backup Test <backup@example.invalid>', 'future-default', 'default', '1d'], {
    env: { ...process.env, GNUPGHOME: gnupgHome },
    stdio: 'pipe',
  });
  const listing = run('gpg', ['--batch', '--with-colons', '--list-keys', 'backup@example.invalid']).stdout;
  recipient = listing.split('\n').find((line) => line.startsWith('fpr:'))?.split(':')[9] ?? '';

  cluster = await startDebianPostgres();
  await createDatabase('pm_source');
  source = openDatabase(cluster.url('pm_source'), { max: 3, applicationName: 'pm-backup-test' });
  await runMigrations(source);

  sourceConfigDir = path.join(work, 'source', 'etc');
  sourceDataDir = path.join(work, 'source', 'var');
  fs.mkdirSync(sourceConfigDir, { recursive: true, mode: 0o750 });
  fs.mkdirSync(sourceDataDir, { recursive: true, mode: 0o700 });
  await ensurePki({ configDir: sourceConfigDir, hostNames: ['localhost', '127.0.0.1'] });
  await ensureSigningKey(sourceConfigDir);
  const url = new URL(cluster.url('pm_source'));
  url.password = databasePassword;
  fs.writeFileSync(path.join(sourceConfigDir, 'config.toml'), `[database]\nurl = "${url.toString()}"\n`, { mode: 0o640 });

  for (let i = 0; i < 5; i += 1) {
    await source.db.transaction(async (tx) => {
      await writeAudit(tx, { actor: { kind: 'cli', user: 'backup-test' }, action: 'settings.update', details: { step: i } });
    });
  }
  const log = getLogger({ level: 'silent' });
  const audit = auditPaths({ configDir: sourceConfigDir, dataDir: sourceDataDir });
  await createAuditCheckpoint({ db: source.db, paths: audit, log });

  await source.sql`insert into hosts (hostname) values ('web-1'), ('web-2'), ('db-1')`;
  const [user] = await source.sql<{ id: string }[]>`insert into users (username, role) values ('admin', 'admin') returning id`;
  await source.sql`insert into mfa_totp (user_id, secret) values (${user!.id}, ${totpSecret})`;
  await source.sql`insert into settings (key, value) values
    ('smtp', ${JSON.stringify({ host: 'smtp.example.invalid', password: smtpPassword })}::jsonb),
    ('sso', ${JSON.stringify({ tenantId: 'tenant', clientSecret: ssoSecret })}::jsonb),
    ('security.network', ${JSON.stringify({ allowlist: ['10.0.0.0/8'] })}::jsonb)`;

  backupDir = path.join(work, 'backups');
  fs.mkdirSync(backupDir);
  const backup = run('sh', [backupScript, '--recipient', recipient, '--output-dir', backupDir, '--config-dir', sourceConfigDir, '--data-dir', sourceDataDir, '--pg-bin', DEBIAN_PG_BIN]);
  expect(backup.stderr).toBe('');
  expect(backup.status).toBe(0);
  const names = fs.readdirSync(backupDir);
  plainArchive = path.join(backupDir, names.find((name) => name.endsWith('Z.tar.gz')) ?? 'missing');
  secretsArchive = path.join(backupDir, names.find((name) => name.endsWith('.secrets.tar.gz.gpg')) ?? 'missing');
}, 120_000);

afterAll(async () => {
  await source?.close();
  cluster?.stop();
  if (gnupgHome) spawnSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'gpg-agent']);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('backup.sh and restore.sh', () => {
  it('writes both archives with mode 0600', () => {
    expect(fs.statSync(plainArchive).mode & 0o777).toBe(0o600);
    expect(fs.statSync(secretsArchive).mode & 0o777).toBe(0o600);
  });

  it('keeps secrets out of the plain archive', () => {
    const extracted = path.join(work, 'plain-check');
    fs.mkdirSync(extracted);
    execFileSync('tar', ['-C', extracted, '-xzf', plainArchive]);
    const sqlText = execFileSync(path.join(DEBIAN_PG_BIN, 'pg_restore'), ['--file=-', path.join(extracted, 'database.dump')], { encoding: 'utf8' });
    const text = `${allText(extracted)}\n${sqlText}`;

    // The dump and the public files are there, so the searches below look at real content.
    expect(sqlText).toContain('web-1');
    expect(sqlText).toContain('settings.update');
    expect(fs.readFileSync(path.join(extracted, 'config', 'ca', 'ca.pem'), 'utf8')).toBe(fs.readFileSync(path.join(sourceConfigDir, 'ca', 'ca.pem'), 'utf8'));
    expect(text).toContain('BEGIN CERTIFICATE');

    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(smtpPassword);
    expect(text).not.toContain(ssoSecret);
    expect(text).not.toContain(totpSecret);
    expect(text).not.toContain(databasePassword);
    expect(fs.readFileSync(path.join(extracted, 'config', 'config.toml.redacted'), 'utf8')).toContain(':REDACTED@127.0.0.1');
  });

  it('encrypts the secrets archive to the recipient', () => {
    const raw = fs.readFileSync(secretsArchive, 'latin1');
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toContain(smtpPassword);

    const packets = run('gpg', ['--batch', '--list-packets', '--pinentry-mode', 'cancel', secretsArchive]);
    expect(packets.stdout).toMatch(/:pubkey enc packet:/);

    const otherHome = path.join(work, 'gnupg-other');
    fs.mkdirSync(otherHome, { mode: 0o700 });
    const foreign = run('gpg', ['--batch', '--decrypt', secretsArchive], { GNUPGHOME: otherHome });
    spawnSync('gpgconf', ['--homedir', otherHome, '--kill', 'gpg-agent']);
    expect(foreign.status).not.toBe(0);
  });

  it('restores everything into an empty database and config dir', async () => {
    await createDatabase('pm_restored');
    const configDir = path.join(work, 'restored', 'etc');
    const dataDir = path.join(work, 'restored', 'var');
    const restore = run('sh', [
      restoreScript, '--backup', plainArchive, '--secrets', secretsArchive, '--database-url', cluster.url('pm_restored'),
      '--config-dir', configDir, '--data-dir', dataDir, '--pg-bin', DEBIAN_PG_BIN, '--owner', 'root',
    ]);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);

    const before = await rowCounts(cluster.url('pm_source'));
    const after = await rowCounts(cluster.url('pm_restored'));
    expect(after).toEqual(before);
    expect(after['public.audit_log']).toBeGreaterThanOrEqual(5);
    expect(after['public.settings']).toBeGreaterThanOrEqual(3);

    expect(fileDigests(configDir)).toEqual(fileDigests(sourceConfigDir));
    expect(fileDigests(dataDir)).toEqual(fileDigests(sourceDataDir));
    expect(fs.statSync(path.join(configDir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(configDir, 'config.toml')).mode & 0o777).toBe(0o640);
    expect(fs.statSync(configDir).mode & 0o777).toBe(0o750);

    const restored = openDatabase(cluster.url('pm_restored'), { max: 2, applicationName: 'pm-restore-test' });
    try {
      const paths = auditPaths({ configDir, dataDir });
      const publicKeyPem = await readCheckpointPublicKey(paths);
      const { entries } = await readCheckpoints(paths);
      expect(entries.length).toBeGreaterThan(0);
      const verification = await verifyAuditChain(restored.db, { checkpoints: { publicKeyPem: publicKeyPem ?? '', entries } });
      expect(verification.integrity).toBe(true);
      expect(verification.checkpoint.status).toBe('verified');

      const [smtp] = await restored.sql<{ value: { password: string } }[]>`select value from settings where key = 'smtp'`;
      expect(smtp?.value.password).toBe(smtpPassword);
      const [totp] = await restored.sql<{ secret: string }[]>`select secret from mfa_totp`;
      expect(totp?.secret).toBe(totpSecret);
      const grants = await restored.sql<{ privilege_type: string }[]>`
        select privilege_type from information_schema.role_table_grants where grantee = 'pm_app' and table_name = 'audit_log' order by 1`;
      expect(grants.map((row) => row.privilege_type)).toEqual(['INSERT', 'SELECT']);
    } finally {
      await restored.close();
    }

    // The restored CA loads as it is: same fingerprint, nothing re-created.
    const messages: string[] = [];
    const original = await ensurePki({ configDir: sourceConfigDir, hostNames: ['localhost', '127.0.0.1'] });
    const pki = await ensurePki({ configDir, hostNames: ['localhost', '127.0.0.1'], log: (message) => messages.push(message) });
    expect(pki.caFingerprint).toBe(original.caFingerprint);
    expect(messages).toEqual([]);
    expect(await ensureSigningKey(configDir)).toMatchObject({ created: false });
  });

  it('restore refuses a database that has tables', async () => {
    const configDir = path.join(work, 'refused', 'etc');
    const restore = run('sh', [
      restoreScript, '--backup', plainArchive, '--secrets', secretsArchive, '--database-url', cluster.url('pm_source'),
      '--config-dir', configDir, '--data-dir', path.join(work, 'refused', 'var'), '--pg-bin', DEBIAN_PG_BIN,
    ]);
    expect(restore.status).toBe(1);
    expect(restore.stderr).toMatch(/already has \d+ tables; restore into an empty database/);
    expect(fs.existsSync(configDir)).toBe(false);
  });
});
