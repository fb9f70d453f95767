import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';

/** Mode of files holding private keys. */
export const PRIVATE_KEY_MODE = 0o600;
/** Mode of files holding certificates, which are public. */
export const CERTIFICATE_MODE = 0o644;
/** Mode of the directories that hold private keys. */
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Creates a key directory with mode 0700, or tightens an existing one that group or
 * others can enter. Returns true when it changed the mode of an existing directory.
 */
export async function ensurePrivateDirectory(directory: string): Promise<boolean> {
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });

  const { mode } = await stat(directory);
  if ((mode & 0o077) === 0) {
    return false;
  }

  await chmod(directory, PRIVATE_DIRECTORY_MODE);
  return true;
}

/** Reads a UTF-8 file, returning null when it does not exist. */
export async function readOptionalFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) {
      return null;
    }
    throw error;
  }
}

/**
 * Reads a private key file, returning null when it does not exist. Throws when group or
 * others have any access to it, because the key may already have leaked and silently
 * using it would hide that.
 */
export async function readPrivateKeyFile(path: string): Promise<string | null> {
  const contents = await readOptionalFile(path);
  if (contents === null) {
    return null;
  }

  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `Private key ${path} has mode ${mode.toString(8).padStart(4, '0')}, so group or others can access it; ` +
        `run "chmod 600 ${path}" if the key did not leak, otherwise replace it`,
    );
  }

  return contents;
}

/**
 * Creates a file that must not exist yet, with its final mode from the start (the
 * process umask can only narrow it). Fails with EEXIST instead of overwriting, which is
 * what guarantees that an existing CA key is never replaced.
 */
export async function writeNewFile(path: string, data: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces a file atomically: writes a new temporary file beside it with its final mode,
 * then renames it over the old one, so readers see either the old or the new contents.
 */
export async function replaceFile(path: string, data: string, mode: number): Promise<void> {
  const temporaryPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;

  try {
    await writeNewFile(temporaryPath, data, mode);
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
