import type { PendingUpdate } from '../types';
import { isHeld } from './held';

/**
 * One row of `apt list`: `name/suite[,suite...] version arch [status ... installed]`.
 * Only the layout is matched, because apt translates the bracket text and the
 * progress line when the locale is not C.
 */
const ROW = /^([A-Za-z0-9][A-Za-z0-9+._-]*)\/(\S+)\s+(\S+)\s+(\S+)\s+\[([^\]]*)\]\s*$/;

/**
 * Reads the output of `LC_ALL=C apt list --upgradable` (with or without `-a`)
 * into one pending update per package and architecture.
 *
 * Only rows with a status bracket count. Progress lines (`Listing...`), the
 * unstable-CLI `WARNING:` and `N:` notes do not have that layout and are
 * skipped. The installed version is the last word of the bracket, in English
 * and in the German, Spanish and French translations. With `-a`, apt also prints the installed
 * version as a row whose suites include `now`; that row describes the same
 * update and is skipped.
 *
 * An update is a security fix when one of its comma-separated suites ends in
 * `-security`. `apt list` does not mark phased updates, so `phased` is always
 * false here; the simulation (`apt-get -s upgrade`) reports them. `held` comes
 * from `held`, the names `apt-mark showhold` prints, because `apt list` shows
 * held packages as ordinary updates.
 */
export function parseAptListUpgradable(stdout: string, held?: ReadonlySet<string>): PendingUpdate[] {
  const updates: PendingUpdate[] = [];
  const seen = new Set<string>();

  for (const line of stdout.split('\n')) {
    const row = ROW.exec(line.trim());
    if (row === null) continue;

    const [, name = '', suitesText = '', candidate = '', arch = '', bracket = ''] = row;
    const suites = suitesText.split(',');
    if (suites.includes('now')) continue;

    const installed = bracket.trim().split(/\s+/).at(-1) ?? '';
    if (installed === '') continue;

    const key = `${name}:${arch}`;
    if (seen.has(key)) continue;
    seen.add(key);

    updates.push({
      name,
      arch,
      installed,
      candidate,
      repository: suitesText,
      security: suites.some((suite) => suite.endsWith('-security')),
      held: isHeld(held, name, arch),
      phased: false,
      advisories: [],
    });
  }

  return updates;
}
