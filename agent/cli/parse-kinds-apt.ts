import { classifyAptFailure } from '../package-managers/apt/classify-failure';
import { DPKG_QUERY_FORMAT, parseDpkgQuery } from '../package-managers/apt/parse-dpkg-query';
import { parseAptListUpgradable } from '../package-managers/apt/parse-list-upgradable';
import { parseAptMarkShowhold } from '../package-managers/apt/parse-showhold';
import { parseAptSimulation } from '../package-managers/apt/parse-simulation';
import { rebootStateFromFlagFile, rebootStateFromKernels } from '../package-managers/apt/reboot';
import { ParseUsageError, type ParseContext, type ParseKind, type ParseOption } from './parse-kind';

/** apt-get exits with 100 on every error, so that is the default for `failure`. */
const APT_GET_ERROR_STATUS = 100;

const HELD_OPTION: ParseOption = {
  name: '--held',
  value: 'FILE',
  description: 'output of `apt-mark showhold`; marks those packages as held',
};

async function readHeld(context: ParseContext): Promise<Set<string> | undefined> {
  const text = await context.readOptionFile('--held');
  return text === undefined ? undefined : new Set(parseAptMarkShowhold(text));
}

function readExitCode(context: ParseContext): number {
  const text = context.option('--exit');
  if (text === undefined) return APT_GET_ERROR_STATUS;
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > 255) {
    throw new ParseUsageError(`invalid --exit value '${text}': expected an exit status from 0 to 255`);
  }
  return Number(text);
}

/** The apt and dpkg outputs that `pm-agent parse apt <kind>` reads. */
export const APT_PARSE_KINDS: readonly ParseKind[] = [
  {
    manager: 'apt',
    kind: 'upgradable',
    description: 'pending updates from `apt list --upgradable`',
    input: 'output of `LC_ALL=C apt list --upgradable` (with or without -a)',
    options: [HELD_OPTION],
    read: async (context) => parseAptListUpgradable(await context.readInput(), await readHeld(context)),
  },
  {
    manager: 'apt',
    kind: 'simulate',
    description: 'updates, removals, kept-back and phased packages from an apt simulation',
    input: 'output of `LC_ALL=C apt-get -s upgrade` (or dist-upgrade, install) or `apt upgrade --dry-run`',
    options: [HELD_OPTION],
    read: async (context) => parseAptSimulation(await context.readInput(), await readHeld(context)),
  },
  {
    manager: 'apt',
    kind: 'dpkg-query',
    description: 'installed packages and excluded (removed, config-files) rows from dpkg-query',
    input: `output of \`LC_ALL=C dpkg-query -W -f='${DPKG_QUERY_FORMAT.replaceAll('\t', '\\t').replace(/\n$/, '\\n')}'\`, or its first three columns`,
    options: [],
    read: async (context) => parseDpkgQuery(await context.readInput()),
  },
  {
    manager: 'apt',
    kind: 'showhold',
    description: 'held package names from `apt-mark showhold`',
    input: 'output of `LC_ALL=C apt-mark showhold`',
    options: [],
    read: async (context) => parseAptMarkShowhold(await context.readInput()),
  },
  {
    manager: 'apt',
    kind: 'reboot-required',
    description: 'reboot state from /var/run/reboot-required and its .pkgs list',
    input: 'the flag file /var/run/reboot-required; a FILE that does not exist means the flag is not set',
    options: [{ name: '--pkgs', value: 'FILE', description: 'the package list /var/run/reboot-required.pkgs' }],
    read: async (context) => {
      const pkgs = await context.readOptionFileIfExists('--pkgs');
      return rebootStateFromFlagFile(await context.readInputIfExists(), pkgs ?? null);
    },
  },
  {
    manager: 'apt',
    kind: 'kernels',
    description: 'reboot state from the running kernel against the installed kernel images',
    input: "one `name version` line per installed linux-image-* package, as `dpkg -l 'linux-image-*' | awk '/^ii/{print $2, $3}'` prints",
    options: [{ name: '--uname-r', value: 'VALUE', description: 'running kernel release, as `uname -r` prints it', required: true }],
    read: async (context) => rebootStateFromKernels(context.option('--uname-r') ?? '', await context.readInput()),
  },
  {
    manager: 'apt',
    kind: 'failure',
    description: 'cause of a failed apt-get or dpkg run (lock held, held packages, ...), or null for success',
    input: "the run's stderr",
    options: [
      { name: '--stdout', value: 'FILE', description: "the run's stdout (default: empty)" },
      { name: '--exit', value: 'CODE', description: `the run's exit status (default: ${APT_GET_ERROR_STATUS}, apt-get's status for any error)` },
      { name: '--timed-out', value: null, description: 'the run was stopped because it exceeded its timeout' },
    ],
    read: async (context) => {
      const stdout = await context.readOptionFile('--stdout');
      return classifyAptFailure({
        exitCode: readExitCode(context),
        stdout: stdout ?? '',
        stderr: await context.readInput(),
        timedOut: context.option('--timed-out') !== undefined,
      });
    },
  },
];
