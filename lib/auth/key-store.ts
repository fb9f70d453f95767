import { createPublicKey, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getLogger } from '@/lib/log';
import {
  keyIdFor,
  manifestVersion,
  readActiveKey,
  readManifest,
  readRetiredKey,
  signingKeyDirectory,
  type SigningKeyRecord,
} from './signing-key-files';
import { overlapEnded } from './signing-keys';
import { TokenError } from './token-error';

/** The signing keys of one configuration directory, shared by every token operation of a process. */
export interface KeyStore {
  /** The active key that signs new access tokens. */
  signingKey(): Promise<{ kid: string; privateKey: KeyObject }>;
  /**
   * The public key for `kid`. Throws TokenError `kid_unknown` when no such key is on
   * disk, and `key_expired` when the key was retired 24 hours or more before `now`.
   */
  verificationKey(kid: string, now: Date): Promise<KeyObject>;
  /** Checks keys.json now, without waiting for the interval, and re-reads the directory when it changed. */
  reload(): Promise<void>;
}

interface KeySet {
  version: string;
  active: { kid: string; privateKey: KeyObject };
  keys: Map<string, { publicKey: KeyObject; record: SigningKeyRecord }>;
}

/** Default minimum time between two checks of keys.json, in milliseconds. */
export const KEY_STORE_CHECK_INTERVAL_MS = 1000;

/** Attempts to read a consistent key set when no earlier one is loaded, 20 ms apart. */
const INITIAL_LOAD_ATTEMPTS = 10;

/**
 * Creates the key store of `<configDir>/jwt/`. Before each use it checks keys.json's
 * inode, size and mtime, at most once per `checkIntervalMs` (default 1 s) or at once on
 * `reload()`, and re-reads the directory when they changed. A rotation done by another
 * process (the worker) therefore takes effect within about a second without a restart.
 * While a rotation is half written, or when a re-read fails, the store keeps serving
 * the keys it loaded last and tries again at the next check. The directory must
 * already hold a key (`ensureSigningKey`).
 *
 * NOTE: a token signed with a brand-new key can reach a process that has not yet
 * noticed the rotation; that process rejects it as `kid_unknown` for up to
 * `checkIntervalMs`.
 */
export function createKeyStore(configDir: string, options: { checkIntervalMs?: number } = {}): KeyStore {
  const directory = signingKeyDirectory(configDir);
  const checkIntervalMs = options.checkIntervalMs ?? KEY_STORE_CHECK_INTERVAL_MS;
  let current: KeySet | undefined;
  let lastCheck = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  let lastFailure: string | undefined;

  async function check(): Promise<void> {
    lastCheck = performance.now();
    try {
      const version = await manifestVersion(directory);
      if (current && version === current.version) {
        return;
      }
      current = await loadWithRetry(directory, current);
      lastFailure = undefined;
    } catch (error) {
      if (!current) {
        throw error;
      }
      const message = (error as Error).message;
      if (message !== lastFailure) {
        getLogger().error({ err: error, directory }, 'reading the signing keys failed; keeping the keys loaded before');
        lastFailure = message;
      }
    }
  }

  async function refresh(force: boolean): Promise<KeySet> {
    if (pending) {
      await pending;
    }
    if (force || !current || performance.now() - lastCheck >= checkIntervalMs) {
      pending = check().finally(() => {
        pending = undefined;
      });
      await pending;
    }
    return current!;
  }

  return {
    async signingKey() {
      const keys = await refresh(false);
      return keys.active;
    },

    async verificationKey(kid, now) {
      const keys = await refresh(false);
      const entry = keys.keys.get(kid);
      if (!entry) {
        throw new TokenError('kid_unknown', 'access token names a signing key that is not known');
      }
      if (overlapEnded(entry.record, now)) {
        throw new TokenError('key_expired', 'access token was signed with a key retired more than 24 hours ago');
      }
      return entry.publicKey;
    },

    async reload() {
      await refresh(true);
    },
  };
}

async function loadWithRetry(directory: string, previous: KeySet | undefined): Promise<KeySet> {
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadKeySet(directory);
    if (loaded) {
      return loaded;
    }
    if (previous) {
      return previous;
    }
    if (attempt >= INITIAL_LOAD_ATTEMPTS) {
      throw new Error(
        `signing keys in ${directory} are inconsistent: keys.json does not list signing.pem as the active key; ` +
          'restart the server so it repairs them',
      );
    }
    await sleep(20);
  }
}

/**
 * Reads keys.json and the key files. Returns null when the files do not match each
 * other, which is what a reader sees in the middle of a rotation.
 */
async function loadKeySet(directory: string): Promise<KeySet | null> {
  const version = await manifestVersion(directory);
  const records = await readManifest(directory);
  const privateKey = await readActiveKey(directory);
  if (version === null || records === null || privateKey === null) {
    throw new Error(`no access token signing key in ${directory}; start the server once so it creates one`);
  }

  const kid = keyIdFor(privateKey);
  const activeRecord = records.find((record) => record.retiredAt === null);
  if (!activeRecord || activeRecord.kid !== kid) {
    return null;
  }

  const keys: KeySet['keys'] = new Map();
  for (const record of records) {
    const publicKey = record.kid === kid ? createPublicKey(privateKey) : await readRetiredKey(directory, record.kid);
    if (!publicKey) {
      continue;
    }
    if (keyIdFor(publicKey) !== record.kid) {
      throw new Error(`the key file for ${record.kid} in ${directory} contains a different key; restore it from a backup or remove it`);
    }
    keys.set(record.kid, { publicKey, record });
  }

  if ((await manifestVersion(directory)) !== version) {
    return null;
  }
  return { version, active: { kid, privateKey }, keys };
}
