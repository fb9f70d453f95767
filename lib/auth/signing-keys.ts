import { stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { getLogger } from '@/lib/log';
import { ensurePrivateDirectory } from '@/lib/pki/pki-files';
import {
  ACTIVE_KEY_FILE,
  generateSigningKey,
  keyIdFor,
  readActiveKey,
  readManifest,
  retiredKeyPath,
  signingKeyDirectory,
  writeActiveKey,
  writeManifest,
  writeRetiredKey,
  type SigningKeyRecord,
} from './signing-key-files';

/** How long a retired key still verifies tokens, in seconds (24 hours). */
export const KEY_OVERLAP_SECONDS = 24 * 60 * 60;

/** Age of the active key at which a rotation is due, in seconds (90 days). */
export const KEY_ROTATION_INTERVAL_SECONDS = 90 * 24 * 60 * 60;

/** How long a retired key's file stays after its overlap ended, in seconds (7 days), for incident review. */
export const RETIRED_KEY_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/*
 * Layout of <config dir>/jwt/ (mode 0700, every file 0600):
 *   signing.pem   the active Ed25519 private key (PKCS#8 PEM)
 *   <kid>.pem     public keys of retired keys (SPKI PEM), kept while they may still verify
 *   keys.json     {kid, createdAt, retiredAt} of every key, written last by every change
 * Every file is replaced by writing a temporary file and renaming it, so readers see the
 * old or the new file, never a partial one.
 *
 * NOTE: ensureSigningKey and rotateSigningKey assume one writer at a time (the server at
 * startup, then the worker's scheduled rotation); they take no lock across processes.
 */

/**
 * Makes sure an active signing key exists, creating `<configDir>/jwt/` (0700) and the
 * first key when needed, and returns its kid. It also repairs what an interrupted
 * rotation or a manual edit leaves behind. A signing.pem without keys.json is adopted.
 * A signing.pem that keys.json does not list as active becomes the active key, and the
 * key listed before is retired at `now`. It throws when group or others can read
 * signing.pem.
 */
export async function ensureSigningKey(configDir: string, now: Date = new Date()): Promise<{ kid: string; created: boolean }> {
  const directory = signingKeyDirectory(configDir);
  await ensurePrivateDirectory(directory);

  const records = (await readManifest(directory)) ?? [];
  const activeKey = await readActiveKey(directory);

  if (!activeKey) {
    const key = generateSigningKey();
    await writeActiveKey(directory, key.pem);
    const retired = records.map((record) => (record.retiredAt ? record : { ...record, retiredAt: now }));
    if (retired.some((record, index) => record !== records[index])) {
      getLogger().warn({ directory }, 'signing.pem was missing; created a new signing key and retired the listed one');
    }
    await writeManifest(directory, [...retired, { kid: key.kid, createdAt: now, retiredAt: null }]);
    return { kid: key.kid, created: true };
  }

  const kid = keyIdFor(activeKey);
  const listed = records.find((record) => record.kid === kid);
  if (listed && listed.retiredAt === null && records.filter((record) => record.retiredAt === null).length === 1) {
    return { kid, created: false };
  }

  const createdAt = listed?.createdAt ?? (records.length === 0 ? (await stat(path.join(directory, ACTIVE_KEY_FILE))).mtime : now);
  const repaired = records
    .filter((record) => record.kid !== kid)
    .map((record) => (record.retiredAt ? record : { ...record, retiredAt: now }));
  await writeManifest(directory, [...repaired, { kid, createdAt, retiredAt: null }]);
  if (records.length > 0) {
    getLogger().warn({ directory, kid }, 'keys.json did not list signing.pem as the active key; repaired it');
  }
  return { kid, created: false };
}

/**
 * Replaces the active signing key with a new one and retires the old one at `now`: the
 * old key's public half is written to `<kid>.pem` first, then signing.pem, then keys.json.
 * The old key keeps verifying for `KEY_OVERLAP_SECONDS`. Retired keys whose overlap ended
 * more than `RETIRED_KEY_RETENTION_SECONDS` ago are deleted in the same call.
 */
export async function rotateSigningKey(configDir: string, now: Date = new Date()): Promise<{ kid: string; retiredKid: string }> {
  const { kid: retiredKid } = await ensureSigningKey(configDir, now);
  const directory = signingKeyDirectory(configDir);
  const activeKey = await readActiveKey(directory);
  const records = (await readManifest(directory)) ?? [];
  if (!activeKey || keyIdFor(activeKey) !== retiredKid) {
    throw new Error(`signing keys in ${directory} changed during rotation; run the rotation again`);
  }

  await writeRetiredKey(directory, activeKey);
  const key = generateSigningKey();
  await writeActiveKey(directory, key.pem);

  const retired = records.map((record) => (record.kid === retiredKid ? { ...record, retiredAt: now } : record));
  const remaining = await deleteExpiredKeys(directory, retired, now);
  await writeManifest(directory, [...remaining, { kid: key.kid, createdAt: now, retiredAt: null }]);

  getLogger().info({ kid: key.kid, retiredKid }, 'rotated the access token signing key');
  return { kid: key.kid, retiredKid };
}

/**
 * Returns true when the active key is at least `KEY_ROTATION_INTERVAL_SECONDS` old, or
 * when no key exists yet, so a scheduled task can call `rotateSigningKey`.
 */
export async function rotationDue(configDir: string, now: Date = new Date()): Promise<boolean> {
  const records = await readManifest(signingKeyDirectory(configDir));
  const active = records?.find((record) => record.retiredAt === null);
  if (!active) {
    return true;
  }
  return now.getTime() - active.createdAt.getTime() >= KEY_ROTATION_INTERVAL_SECONDS * 1000;
}

/** Returns true when a retired key may no longer verify tokens at `now`. */
export function overlapEnded(record: SigningKeyRecord, now: Date): boolean {
  return record.retiredAt !== null && now.getTime() >= record.retiredAt.getTime() + KEY_OVERLAP_SECONDS * 1000;
}

async function deleteExpiredKeys(directory: string, records: SigningKeyRecord[], now: Date): Promise<SigningKeyRecord[]> {
  const deleteBefore = now.getTime() - (KEY_OVERLAP_SECONDS + RETIRED_KEY_RETENTION_SECONDS) * 1000;
  const remaining: SigningKeyRecord[] = [];

  for (const record of records) {
    if (record.retiredAt && record.retiredAt.getTime() < deleteBefore) {
      await unlink(retiredKeyPath(directory, record.kid)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      continue;
    }
    remaining.push(record);
  }
  return remaining;
}
