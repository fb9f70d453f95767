import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Mode of every directory the agent creates: only the agent's user may enter it. */
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the new
 * contents: the data goes to a new temporary file beside it, created with `mode`
 * and flushed with fsync, which is then renamed over `file`. The directory is
 * flushed too, so the rename itself survives a power loss.
 */
export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;

  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }

    // The umask can only narrow the mode given to open(), so set it exactly.
    await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }

  await syncDirectory(path.dirname(file));
}

/** Creates `dir` with mode 0700, and narrows an existing one that group or others can enter. */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });

  const { mode } = await stat(dir);
  if ((mode & 0o077) !== 0) {
    await chmod(dir, PRIVATE_DIRECTORY_MODE);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
