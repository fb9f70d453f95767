import type { InstalledPackage, PendingUpdate } from '../types';

/**
 * Reads `pacman -Q` (`name version` per line). pacman's local database records
 * neither an architecture per row nor a source package here, so `arch` and
 * `source` are empty. Throws an Error naming the line for any other shape.
 */
export function parsePacmanQuery(stdout: string): InstalledPackage[] {
  const installed: InstalledPackage[] = [];

  stdout.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '') return;

    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      throw new Error(`invalid pacman -Q line ${index + 1}: expected 'name version', got '${line}'`);
    }

    const [name = '', version = ''] = fields;
    installed.push({ name, version, arch: '', source: '', state: 'installed', held: false, broken: false });
  });

  return installed;
}

/**
 * Reads `pacman -Qu` (`name old -> new`, with ` [ignored]` for a package that
 * IgnorePkg or IgnoreGroup holds back). pacman has no security metadata, so
 * `security` is always false and `advisories` empty. `repository` is empty
 * because -Qu does not print it. Lines of any other shape are skipped.
 */
export function parsePacmanQueryUpgrades(stdout: string): PendingUpdate[] {
  const updates: PendingUpdate[] = [];

  for (const rawLine of stdout.split('\n')) {
    const match = /^(\S+) (\S+) -> (\S+)( \[ignored\])?$/.exec(rawLine.trim());
    if (match === null) continue;

    updates.push({
      name: match[1] ?? '',
      arch: '',
      installed: match[2] ?? null,
      candidate: match[3] ?? '',
      repository: '',
      security: false,
      held: match[4] !== undefined,
      phased: false,
      advisories: [],
    });
  }

  return updates;
}

/**
 * Reads `pacman -S --print --print-format '%n %v %r'` (name, new version, repository
 * per target). Lines of any other shape, such as `:: Synchronizing` or `there is
 * nothing to do`, are skipped.
 */
export function parsePacmanPrint(stdout: string): { name: string; version: string; repository: string }[] {
  const targets: { name: string; version: string; repository: string }[] = [];

  for (const rawLine of stdout.split('\n')) {
    const fields = rawLine.trim().split(/\s+/);
    if (fields.length !== 3 || fields[0] === '::') continue;
    const [name = '', version = '', repository = ''] = fields;
    if (!/^[a-z0-9@_+][a-z0-9@._+-]*$/.test(name) || !/\d/.test(version)) continue;
    targets.push({ name, version, repository });
  }

  return targets;
}
