import type { InstalledPackage } from '../types';

/**
 * The `rpm -qa --qf` format the agent uses: name, epoch, version, release,
 * architecture and source rpm, separated by tabs. rpm prints `(none)` for an
 * absent epoch or source rpm.
 */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

/** An rpm database row that is not software. */
export interface ExcludedRpmRow {
  name: string;
  version: string;
  reason: string;
}

const NONE = '(none)';

/**
 * Joins epoch, version and release into the form advisories quote: `1:3.0.7-27.el9`,
 * or `3.0.7-27.el9` without an epoch. An epoch of `(none)` or empty means none.
 */
export function formatRpmEvr(epoch: string, version: string, release: string): string {
  const prefix = epoch === '' || epoch === NONE ? '' : `${epoch}:`;
  return release === '' || release === NONE ? `${prefix}${version}` : `${prefix}${version}-${release}`;
}

/** Source package name from a source rpm file name (`openssl-3.0.7-27.el9.src.rpm` gives `openssl`). */
export function sourceNameFromSourceRpm(sourceRpm: string): string {
  const match = /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(sourceRpm.trim());
  return match?.[1] ?? '';
}

/**
 * Reads `rpm -qa --qf` output in the agent's six-column {@link RPM_QUERY_FORMAT}
 * or the five-column form without the source rpm.
 *
 * Every row is one installed package, so installonly kernels and multilib packages
 * (glibc for x86_64 and i686) stay separate rows. `gpg-pubkey` rows are imported
 * signing keys and go to `excluded`. Throws an Error naming the line for a row with
 * fewer than five tab-separated columns.
 */
export function parseRpmQuery(stdout: string): { installed: InstalledPackage[]; excluded: ExcludedRpmRow[] } {
  const installed: InstalledPackage[] = [];
  const excluded: ExcludedRpmRow[] = [];

  stdout.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;

    const fields = line.split('\t');
    if (fields.length < 5) {
      throw new Error(`invalid rpm query line ${index + 1}: expected tab-separated name, epoch, version, release and arch, got '${line}'`);
    }

    const [name = '', epoch = '', version = '', release = '', arch = '', sourceRpm = ''] = fields.map((field) => field.trim());
    const evr = formatRpmEvr(epoch, version, release);

    if (name === 'gpg-pubkey') {
      excluded.push({ name, version: evr, reason: 'imported signing key, not a package' });
      return;
    }

    installed.push({
      name,
      version: evr,
      arch: arch === NONE ? '' : arch,
      source: sourceRpm === NONE ? '' : sourceNameFromSourceRpm(sourceRpm),
      state: 'installed',
      held: false,
      broken: false,
    });
  });

  return { installed, excluded };
}
