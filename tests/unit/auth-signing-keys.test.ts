import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '@/lib/auth/issue-access-token';
import { createKeyStore } from '@/lib/auth/key-store';
import { generateSigningKey, keyIdFor } from '@/lib/auth/signing-key-files';
import { ensureSigningKey, rotateSigningKey, rotationDue } from '@/lib/auth/signing-keys';
import { verifyAccessToken } from '@/lib/auth/verify-access-token';

const execFileAsync = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;
const ROTATE_PROCESS = path.join(import.meta.dirname, '../helpers/rotate-signing-key-process.ts');
const tokenOptions = {
  userId: '4b0c2f0e-5d1a-4c43-9d8e-0f6f7f7a1a01',
  role: 'operator' as const,
  sessionId: '8d3c1f9a-2b7e-4f15-8a0c-5e2d6b9c7f02',
  confirmation: { bindingHash: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg', clientAddress: '192.0.2.10' },
  issuer: 'https://patch.example.test',
  audience: 'https://patch.example.test/api',
};

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'pm-auth-keys-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function freshConfigDir(): Promise<string> {
  return path.join(await mkdtemp(path.join(workDir, 'case-')), 'config');
}

async function mode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

async function manifest(configDir: string) {
  return JSON.parse(await readFile(path.join(configDir, 'jwt', 'keys.json'), 'utf8')) as {
    version: number;
    keys: { kid: string; createdAt: string; retiredAt: string | null }[];
  };
}

async function rotateInChildProcess(configDir: string): Promise<{ kid: string; retiredKid: string }> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', ROTATE_PROCESS, configDir], {
    cwd: path.join(import.meta.dirname, '../..'),
    env: { ...process.env, PM_LOG_LEVEL: 'warn' },
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as { kid: string; retiredKid: string };
}

describe('ensureSigningKey', () => {
  it('creates the first key with private modes', async () => {
    const configDir = await freshConfigDir();
    const now = new Date('2030-01-01T00:00:00Z');
    const { kid, created } = await ensureSigningKey(configDir, now);
    const directory = path.join(configDir, 'jwt');

    expect(created).toBe(true);
    expect(await mode(directory)).toBe(0o700);
    expect(await mode(path.join(directory, 'signing.pem'))).toBe(0o600);
    expect(await mode(path.join(directory, 'keys.json'))).toBe(0o600);

    const pem = await readFile(path.join(directory, 'signing.pem'), 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(keyIdFor(key)).toBe(kid);
    expect(await manifest(configDir)).toEqual({ version: 1, keys: [{ kid, createdAt: now.toISOString(), retiredAt: null }] });
  });

  it('keeps an existing key', async () => {
    const configDir = await freshConfigDir();
    const first = await ensureSigningKey(configDir);
    const second = await ensureSigningKey(configDir);
    expect(second).toEqual({ kid: first.kid, created: false });
  });

  it('tightens a key directory others can enter', async () => {
    const configDir = await freshConfigDir();
    await mkdir(path.join(configDir, 'jwt'), { recursive: true, mode: 0o755 });
    await chmod(path.join(configDir, 'jwt'), 0o755);
    await ensureSigningKey(configDir);
    expect(await mode(path.join(configDir, 'jwt'))).toBe(0o700);
  });

  it('rejects a signing key readable by others', async () => {
    const configDir = await freshConfigDir();
    await ensureSigningKey(configDir);
    const file = path.join(configDir, 'jwt', 'signing.pem');
    await chmod(file, 0o644);
    await expect(ensureSigningKey(configDir)).rejects.toThrow(/has mode 0644/);
    expect(await mode(file)).toBe(0o644);
  });

  it('adopts a signing.pem without keys.json', async () => {
    const configDir = await freshConfigDir();
    const directory = path.join(configDir, 'jwt');
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const key = generateSigningKey();
    await writeFile(path.join(directory, 'signing.pem'), key.pem, { mode: 0o600 });

    expect(await ensureSigningKey(configDir)).toEqual({ kid: key.kid, created: false });
    const { keys } = await manifest(configDir);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: key.kid, retiredAt: null });
  });
});

describe('rotateSigningKey', () => {
  it('activates a new key and keeps the old public key', async () => {
    const configDir = await freshConfigDir();
    const createdAt = new Date('2030-01-01T00:00:00Z');
    const rotatedAt = new Date('2030-04-01T00:00:00Z');
    const { kid: oldKid } = await ensureSigningKey(configDir, createdAt);
    const oldPem = await readFile(path.join(configDir, 'jwt', 'signing.pem'), 'utf8');

    const { kid, retiredKid } = await rotateSigningKey(configDir, rotatedAt);
    const directory = path.join(configDir, 'jwt');

    expect(retiredKid).toBe(oldKid);
    expect(kid).not.toBe(oldKid);
    expect(await readFile(path.join(directory, 'signing.pem'), 'utf8')).not.toBe(oldPem);
    expect(keyIdFor(createPrivateKey(await readFile(path.join(directory, 'signing.pem'), 'utf8')))).toBe(kid);
    expect(await readFile(path.join(directory, `${oldKid}.pem`), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(await manifest(configDir)).toEqual({
      version: 1,
      keys: [
        { kid: oldKid, createdAt: createdAt.toISOString(), retiredAt: rotatedAt.toISOString() },
        { kid, createdAt: rotatedAt.toISOString(), retiredAt: null },
      ],
    });
  });

  it('writes every file with mode 0600', async () => {
    const configDir = await freshConfigDir();
    await ensureSigningKey(configDir);
    await rotateSigningKey(configDir);
    const directory = path.join(configDir, 'jwt');
    const files = await readdir(directory);

    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(files).toHaveLength(3);
    for (const name of files) {
      expect(await mode(path.join(directory, name)), name).toBe(0o600);
    }
    expect(await mode(directory)).toBe(0o700);
  });

  it('deletes keys retired more than eight days ago', async () => {
    const configDir = await freshConfigDir();
    const start = new Date('2030-01-01T00:00:00Z');
    const { kid: first } = await ensureSigningKey(configDir, start);
    const { kid: second } = await rotateSigningKey(configDir, new Date(start.getTime() + DAY_MS));
    const { kid: third } = await rotateSigningKey(configDir, new Date(start.getTime() + 10 * DAY_MS));

    const files = await readdir(path.join(configDir, 'jwt'));
    expect(files).not.toContain(`${first}.pem`);
    expect(files).toContain(`${second}.pem`);
    expect((await manifest(configDir)).keys.map((key) => key.kid)).toEqual([second, third]);
  });
});

describe('rotationDue', () => {
  it('turns true when the active key is 90 days old', async () => {
    const configDir = await freshConfigDir();
    const createdAt = new Date('2030-01-01T00:00:00Z');
    await ensureSigningKey(configDir, createdAt);

    expect(await rotationDue(configDir, new Date(createdAt.getTime() + 90 * DAY_MS - 1000))).toBe(false);
    expect(await rotationDue(configDir, new Date(createdAt.getTime() + 90 * DAY_MS))).toBe(true);
  });

  it('is true when no key exists', async () => {
    expect(await rotationDue(await freshConfigDir())).toBe(true);
  });
});

describe('createKeyStore', () => {
  it('picks up a rotation by another process without restart', async () => {
    const configDir = await freshConfigDir();
    const { kid: oldKid } = await ensureSigningKey(configDir);
    const store = createKeyStore(configDir);
    const before = await issueAccessToken(store, tokenOptions);
    expect((await store.signingKey()).kid).toBe(oldKid);

    const { kid: newKid } = await rotateInChildProcess(configDir);
    await sleep(1100);

    expect((await store.signingKey()).kid).toBe(newKid);
    expect((await verifyAccessToken(store, before.token, tokenOptions)).kid).toBe(oldKid);

    const otherStore = createKeyStore(configDir);
    const after = await issueAccessToken(otherStore, tokenOptions);
    expect((await verifyAccessToken(store, after.token, tokenOptions)).kid).toBe(newKid);
  });

  it('checks the directory at most once per interval unless reloaded', async () => {
    const configDir = await freshConfigDir();
    const { kid: oldKid } = await ensureSigningKey(configDir);
    const store = createKeyStore(configDir, { checkIntervalMs: 60_000 });
    await store.signingKey();

    const { kid: newKid } = await rotateSigningKey(configDir);
    expect((await store.signingKey()).kid).toBe(oldKid);

    await store.reload();
    expect((await store.signingKey()).kid).toBe(newKid);
  });

  it('keeps serving the last keys while a rotation is half written', async () => {
    const configDir = await freshConfigDir();
    const { kid: oldKid } = await ensureSigningKey(configDir);
    const store = createKeyStore(configDir);
    await store.signingKey();

    // State after a rotation wrote signing.pem but not yet keys.json. Rewriting keys.json
    // with the same content makes the store re-read the directory.
    const replacement = generateSigningKey();
    await writeFile(path.join(configDir, 'jwt', 'signing.pem'), replacement.pem, { mode: 0o600 });
    await writeFile(path.join(configDir, 'jwt', 'keys.json'), await readFile(path.join(configDir, 'jwt', 'keys.json')));
    await store.reload();
    expect((await store.signingKey()).kid).toBe(oldKid);

    await expect(createKeyStore(configDir).signingKey()).rejects.toThrow(/inconsistent/);

    // ensureSigningKey, run at server start, repairs the directory.
    expect(await ensureSigningKey(configDir)).toEqual({ kid: replacement.kid, created: false });
    await store.reload();
    expect((await store.signingKey()).kid).toBe(replacement.kid);
  });

  it('fails clearly when no key exists', async () => {
    const configDir = await freshConfigDir();
    await expect(createKeyStore(configDir).signingKey()).rejects.toThrow(/no access token signing key in .*start the server once/);
  });
});
