import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTicketKeys, TICKET_KEYS_BYTES } from '@/lib/pki/ticket-keys';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pm-ticket-keys-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agent listener session ticket keys', () => {
  it('creates keys once with mode 0600', async () => {
    const file = path.join(dir, 'created.key');

    const created = await loadTicketKeys(file);
    const loaded = await loadTicketKeys(file);

    expect(created.length).toBe(TICKET_KEYS_BYTES);
    expect(loaded.equals(created)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(created.equals(Buffer.alloc(TICKET_KEYS_BYTES))).toBe(false);
  });

  it('shares keys between concurrent loads', async () => {
    const file = path.join(dir, 'shared.key');

    const all = await Promise.all(Array.from({ length: 8 }, () => loadTicketKeys(file)));

    for (const keys of all) expect(keys.equals(all[0]!)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.startsWith('shared.key.'))).toEqual([]);
  });

  it('rejects a file others can read', async () => {
    const file = path.join(dir, 'open.key');
    await loadTicketKeys(file);
    await chmod(file, 0o644);

    await expect(loadTicketKeys(file)).rejects.toThrow(`run "chmod 600 ${file}"`);
  });

  it('rejects a file of the wrong length', async () => {
    const file = path.join(dir, 'short.key');
    await writeFile(file, 'abcd\n', { mode: 0o600 });

    await expect(loadTicketKeys(file)).rejects.toThrow(`Session ticket key file ${file} is invalid: expected 96 lowercase hex digits`);
  });

  it('names a directory in place of the file', async () => {
    const file = path.join(dir, 'directory.key');
    await mkdir(file, { mode: 0o700 });

    await expect(loadTicketKeys(file)).rejects.toThrow(`Session ticket key file ${file} cannot be read (EISDIR)`);
  });

  it('names a dangling symbolic link', async () => {
    const file = path.join(dir, 'dangling.key');
    await symlink(path.join(dir, 'missing-target'), file);

    await expect(loadTicketKeys(file)).rejects.toThrow(`Session ticket key file ${file} is a symbolic link to a missing file`);
  });
});
