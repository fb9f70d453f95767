import { readFileSync } from 'node:fs';

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * Returns the bundled list of common passwords (lower case), read from
 * common-passwords.txt beside this module on first use and kept for the process.
 * The file header states where the entries come from.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  if (!commonPasswords) {
    // Read with plain fs under tsx and vitest. `next build` copies the file named by
    // `new URL(..., import.meta.url)` into .next/server/assets, so route handlers read it too.
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    const entries = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    commonPasswords = new Set(entries);
  }
  return commonPasswords;
}
