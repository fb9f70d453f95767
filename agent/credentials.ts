import { access, rename, rm } from 'node:fs/promises';

import type { AgentPaths } from './paths';
import { writeFileAtomic } from './write-file-atomic';

/** Files that hold a renewed key and certificate until both are in place. */
export function pendingCredentialPaths(paths: AgentPaths): { key: string; cert: string } {
  return { key: `${paths.key}.next`, cert: `${paths.cert}.next` };
}

/**
 * Replaces the agent's key and certificate as a pair, so a crash at any point leaves
 * either the old pair or the new one once `recoverCredentials` has run. Both new files
 * are written in full first (the key with mode 0600, fsync'ed), the certificate last;
 * then the key and the certificate are renamed over the old files in that order.
 */
export async function storeCredentials(paths: AgentPaths, credentials: { keyPem: string; certPem: string }): Promise<void> {
  const pending = pendingCredentialPaths(paths);
  await writeFileAtomic(pending.key, credentials.keyPem, 0o600);
  await writeFileAtomic(pending.cert, credentials.certPem, 0o644);
  await rename(pending.key, paths.key);
  await rename(pending.cert, paths.cert);
}

/**
 * Completes or discards a replacement that `storeCredentials` did not finish. A pending
 * certificate means the new pair was written in full, so the renames are completed. A
 * pending key alone is an incomplete write and is deleted, which keeps the old pair.
 * Returns what it did, for the log.
 */
export async function recoverCredentials(paths: AgentPaths): Promise<'none' | 'completed' | 'discarded'> {
  const pending = pendingCredentialPaths(paths);
  const keyPending = await exists(pending.key);
  const certPending = await exists(pending.cert);

  if (certPending) {
    if (keyPending) await rename(pending.key, paths.key);
    await rename(pending.cert, paths.cert);
    return 'completed';
  }
  if (keyPending) {
    await rm(pending.key, { force: true });
    return 'discarded';
  }
  return 'none';
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
