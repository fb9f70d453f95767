import { randomBytes } from 'node:crypto';
import { link, lstat, readFile, stat, unlink } from 'node:fs/promises';

import { PRIVATE_KEY_MODE, writeNewFile } from './pki-files';

/** Node.js takes the session ticket keys as one 48-byte buffer: key name, HMAC key and AES key. */
export const TICKET_KEYS_BYTES = 48;

/**
 * Returns the agent listener's TLS session ticket keys from `file`, creating the file
 * with 48 random bytes (hex, mode 0600) when it does not exist. Every server process
 * on the same configuration directory and every restart then use the same keys, so
 * an agent resumes its TLS session after a restart instead of repeating the full
 * handshake with both certificate signatures.
 *
 * The file is written beside its final name and linked into place, so two processes
 * starting together read the same complete keys. Throws when group or others can
 * access the file or when it does not hold 96 hex digits. The message names the file
 * and the fix.
 */
export async function loadTicketKeys(file: string): Promise<Buffer> {
  let text = await readIfPresent(file);
  if (text === null) {
    await createOnce(file, `${randomBytes(TICKET_KEYS_BYTES).toString('hex')}\n`);
    text = await readIfPresent(file);
    if (text === null) {
      // link() fails with EEXIST on a symbolic link whose target is missing, so nothing was created.
      const dangling = (await lstat(file).catch(() => null))?.isSymbolicLink() === true;
      throw new Error(
        dangling
          ? `Session ticket key file ${file} is a symbolic link to a missing file; delete the link and restart the server to create new keys`
          : `Session ticket key file ${file} disappeared right after it was created`,
      );
    }
  }

  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `Session ticket key file ${file} has mode ${mode.toString(8).padStart(4, '0')}, so group or others can access it; ` +
        `run "chmod 600 ${file}" if it did not leak, otherwise delete it and restart the server to create new keys`,
    );
  }

  const hex = text.trim();
  if (!new RegExp(`^[0-9a-f]{${TICKET_KEYS_BYTES * 2}}$`).test(hex)) {
    throw new Error(
      `Session ticket key file ${file} is invalid: expected ${TICKET_KEYS_BYTES * 2} lowercase hex digits. ` +
        'Delete it and restart the server to create new keys (agents then make one full TLS handshake)',
    );
  }
  return Buffer.from(hex, 'hex');
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new Error(
      `Session ticket key file ${file} cannot be read (${code ?? (error as Error).message}); it must be a regular file. ` +
        'Delete it (with rm -r if it is a directory) and restart the server to create new keys',
      { cause: error },
    );
  }
}

/** Writes `data` to a temporary file and hard-links it to `file`. When `file` already exists, it is kept. */
async function createOnce(file: string, data: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeNewFile(temporary, data, PRIVATE_KEY_MODE);

  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
