import fs from 'node:fs';
import path from 'node:path';

/** The repository's copy of the package-manager output fixtures. */
export const PACKAGE_MANAGER_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/package-managers');

/** Lists the fixture folders whose names start with one of the prefixes, sorted, so a new folder is found with no code change. */
export function fixtureFolders(prefixes: readonly string[]): string[] {
  return fs
    .readdirSync(PACKAGE_MANAGER_FIXTURES, { withFileTypes: true })
    .filter((dirent) => dirent.isDirectory() && prefixes.some((prefix) => dirent.name.startsWith(prefix)))
    .map((dirent) => dirent.name)
    .sort();
}

/** Reads one fixture file as UTF-8. */
export function readFixture(folder: string, file: string): string {
  return fs.readFileSync(path.join(PACKAGE_MANAGER_FIXTURES, folder, file), 'utf8');
}

/** Reads one fixture file, or returns null when the folder does not have it. */
export function readOptionalFixture(folder: string, file: string): string | null {
  const full = path.join(PACKAGE_MANAGER_FIXTURES, folder, file);
  return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : null;
}
