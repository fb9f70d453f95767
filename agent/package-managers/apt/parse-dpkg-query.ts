import type { InstalledPackage, PackageState } from '../types';
import { splitArchQualifier } from './held';

/**
 * The `dpkg-query -W -f` format the agent uses: status abbreviation, name,
 * version, architecture and source package, separated by tabs.
 */
export const DPKG_QUERY_FORMAT = '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\n';

/** A dpkg-query row whose package files are not on disk. */
export interface ExcludedPackage {
  name: string;
  version: string;
  /** `not-installed` or `config-files` (removed, configuration files remain). */
  state: string;
}

/** dpkg's current-state letters (the second status character) for packages with files on disk. */
const ON_DISK_STATES: Readonly<Record<string, PackageState>> = {
  i: 'installed',
  H: 'half-installed',
  U: 'unpacked',
  F: 'half-configured',
  W: 'triggers-awaited',
  t: 'triggers-pending',
};

const NOT_ON_DISK_STATES: Readonly<Record<string, string>> = {
  n: 'not-installed',
  c: 'config-files',
};

/** States that a completed dpkg run never leaves behind; `dpkg --configure -a` or a reinstall is needed. */
const BROKEN_STATES: ReadonlySet<PackageState> = new Set(['half-installed', 'unpacked', 'half-configured']);

const WANTED_STATES = new Set(['u', 'i', 'h', 'r', 'p']);

/**
 * Reads `dpkg-query -W -f` output in the agent's five-column
 * {@link DPKG_QUERY_FORMAT} or the three-column form without architecture
 * and source (those fields are then '').
 *
 * A package counts as installed when its current state (second status letter)
 * is anything but `n` (not installed) or `c` (only configuration files left),
 * so `rc` rows of removed kernels are excluded while held and half-configured
 * packages stay. A first letter `h` marks a hold. A package is `broken` when it
 * is half-installed, unpacked or half-configured, or carries the
 * reinstall-required error flag `R`, because each means that a dpkg run was
 * interrupted. A name such as `libc6:amd64` is split, and its qualifier fills
 * an empty architecture column.
 *
 * Throws an Error naming the line for a row without a tab-separated status,
 * name and version, or with a status dpkg does not define.
 */
export function parseDpkgQuery(stdout: string): { installed: InstalledPackage[]; excluded: ExcludedPackage[] } {
  const installed: InstalledPackage[] = [];
  const excluded: ExcludedPackage[] = [];

  stdout.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;

    const fields = line.split('\t');
    if (fields.length < 3) {
      throw new Error(`invalid dpkg-query line ${index + 1}: expected tab-separated status, name and version, got '${line}'`);
    }

    const [status = '', qualifiedName = '', version = '', archColumn = '', source = ''] = fields;
    const wanted = status.charAt(0);
    const current = status.charAt(1);
    const errorFlag = status.charAt(2);
    const { name, qualifier } = splitArchQualifier(qualifiedName.trim());

    const state = ON_DISK_STATES[current];
    const absentState = NOT_ON_DISK_STATES[current];
    if (!WANTED_STATES.has(wanted) || (state === undefined && absentState === undefined) || !/^[ R]?$/.test(errorFlag)) {
      throw new Error(`invalid dpkg-query line ${index + 1}: unknown status '${status}' for package '${qualifiedName}'`);
    }

    if (state === undefined) {
      excluded.push({ name, version, state: absentState ?? '' });
      return;
    }

    installed.push({
      name,
      version,
      arch: archColumn.trim() || qualifier,
      source: source.trim(),
      state,
      held: wanted === 'h',
      broken: BROKEN_STATES.has(state) || errorFlag === 'R',
    });
  });

  return { installed, excluded };
}
