import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, chmod, open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CERTIFICATE_MODE, ensurePrivateDirectory, PRIVATE_KEY_MODE, readOptionalFile, readPrivateKeyFile, writeNewFile } from '@/lib/pki/pki-files';
import { checkpointKeyId, type SignedCheckpoint } from './checkpoint-signature';

/** File locations of the checkpoint key and the signed checkpoints, all outside the database. */
export interface AuditPaths {
  /** Ed25519 private key, PKCS#8 PEM, mode 0600 in a 0700 directory. */
  keyFile: string;
  /** Its public key, SPKI PEM, mode 0644. */
  publicKeyFile: string;
  /** One signed checkpoint per line, appended by the worker. */
  checkpointsFile: string;
}

/** Returns the audit file locations under the config and data directories. */
export function auditPaths(options: { configDir: string; dataDir: string }): AuditPaths {
  const keyDir = path.join(options.configDir, 'audit');
  return {
    keyFile: path.join(keyDir, 'checkpoint.pem'),
    publicKeyFile: path.join(keyDir, 'checkpoint.pub.pem'),
    checkpointsFile: path.join(options.dataDir, 'audit-checkpoints.jsonl'),
  };
}

/**
 * Loads the checkpoint signing key, creating an Ed25519 pair on first use.
 * Throws when the private key file is readable by group or others.
 */
export async function ensureCheckpointKey(paths: AuditPaths): Promise<{ privateKey: KeyObject; publicKeyPem: string; keyId: string }> {
  await ensurePrivateDirectory(path.dirname(paths.keyFile));

  let privatePem = await readPrivateKeyFile(paths.keyFile);
  if (privatePem === null) {
    const pair = generateKeyPairSync('ed25519');
    privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeNewFile(paths.keyFile, privatePem, PRIVATE_KEY_MODE);
  }

  const privateKey = createPrivateKey(privatePem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  if ((await readOptionalFile(paths.publicKeyFile)) !== publicKeyPem) {
    const handle = await open(paths.publicKeyFile, 'w', CERTIFICATE_MODE);
    await handle.writeFile(publicKeyPem, 'utf8');
    await handle.close();
    await chmod(paths.publicKeyFile, CERTIFICATE_MODE);
  }
  return { privateKey, publicKeyPem, keyId: checkpointKeyId(publicKeyPem) };
}

/** Reads the checkpoint public key, or null when no checkpoint was ever signed. */
export async function readCheckpointPublicKey(paths: AuditPaths): Promise<string | null> {
  return readOptionalFile(paths.publicKeyFile);
}

/** Appends one signed checkpoint as a JSON line, synced to disk before it returns. */
export async function appendCheckpoint(paths: AuditPaths, checkpoint: SignedCheckpoint): Promise<void> {
  await appendFile(paths.checkpointsFile, `${JSON.stringify(checkpoint)}\n`, { mode: 0o640 });
}

function parseCheckpoint(line: string): SignedCheckpoint | null {
  try {
    const value = JSON.parse(line) as Partial<SignedCheckpoint>;
    if (
      typeof value.rowId === 'number' &&
      typeof value.rowHash === 'string' &&
      typeof value.signedAt === 'string' &&
      typeof value.keyId === 'string' &&
      typeof value.signature === 'string'
    ) {
      return { rowId: value.rowId, rowHash: value.rowHash, signedAt: value.signedAt, keyId: value.keyId, signature: value.signature };
    }
  } catch {
    // A malformed line is reported below like a line with missing fields.
  }
  return null;
}

/**
 * Reads the latest `limit` checkpoints from the JSON-lines file, streaming it
 * line by line. A missing file yields none; malformed lines are counted, since
 * someone editing the file is itself a finding.
 */
export async function readCheckpoints(paths: AuditPaths, options: { limit?: number } = {}): Promise<{ entries: SignedCheckpoint[]; malformedLines: number }> {
  const limit = options.limit ?? 1000;
  const entries: SignedCheckpoint[] = [];
  let malformedLines = 0;

  const stream = createReadStream(paths.checkpointsFile, 'utf8');
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)));
  });
  if (!opened) return { entries, malformedLines };

  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const checkpoint = parseCheckpoint(line);
    if (!checkpoint) {
      malformedLines += 1;
      continue;
    }
    entries.push(checkpoint);
    if (entries.length > limit) entries.shift();
  }
  return { entries, malformedLines };
}
