import { rebootStateFromKernelCandidates } from '../package-managers/kernel-reboot';
import { compareRpmVersions } from '../package-managers/rpm-version';
import { rpmKernelCandidates } from '../package-managers/rpm/kernel-candidates';
import { parseRpmQuery, RPM_QUERY_FORMAT } from '../package-managers/rpm/parse-rpm-query';
import { interpretZypperRun } from '../package-managers/zypper/exit-status';
import { parseZypperInstallSummary, parseZypperListPatches, parseZypperListUpdates } from '../package-managers/zypper/parse-xml';
import { rebootStateFromNeedsRebooting } from '../package-managers/zypper/reboot';
import { readExitOption } from './parse-kinds-dnf';
import type { ParseKind } from './parse-kind';

/** The zypper and rpm outputs that `pm-agent parse zypper <kind>` reads. */
export const ZYPPER_PARSE_KINDS: readonly ParseKind[] = [
  {
    manager: 'zypper',
    kind: 'list-updates',
    description: 'package updates from `zypper --xmlout list-updates`',
    input: 'output of `LC_ALL=C zypper --non-interactive --xmlout list-updates`',
    options: [],
    read: async (context) => parseZypperListUpdates(await context.readInput()),
  },
  {
    manager: 'zypper',
    kind: 'list-patches',
    description: 'patches with category, severity, flags and CVE ids from `zypper --xmlout list-patches`',
    input: 'output of `LC_ALL=C zypper --non-interactive --xmlout list-patches --category security`',
    options: [],
    read: async (context) => parseZypperListPatches(await context.readInput()),
  },
  {
    manager: 'zypper',
    kind: 'install-summary',
    description: 'packages to upgrade, install and remove from a zypper --xmlout run or dry run',
    input: 'output of `LC_ALL=C zypper --non-interactive --xmlout patch --dry-run` (or update, dist-upgrade)',
    options: [],
    read: async (context) => parseZypperInstallSummary(await context.readInput()),
  },
  {
    manager: 'zypper',
    kind: 'rpm-query',
    description: 'installed packages and excluded signing keys from rpm -qa',
    input: `output of \`LC_ALL=C rpm -qa --qf '${RPM_QUERY_FORMAT}'\`, or its first five columns`,
    options: [],
    read: async (context) => parseRpmQuery(await context.readInput()),
  },
  {
    manager: 'zypper',
    kind: 'exit',
    description: "a zypper run read with zypper's exit table (103 = run again, 102 = reboot, 7 = lock held)",
    input: "the run's output (stdout and stderr together)",
    options: [{ name: '--exit', value: 'CODE', description: "the run's exit status", required: true }, { name: '--timed-out', value: null, description: 'the run was stopped because it exceeded its timeout' }],
    read: async (context) =>
      interpretZypperRun({ exitCode: readExitOption(context, 0), stdout: await context.readInput(), stderr: '', timedOut: context.option('--timed-out') !== undefined }),
  },
  {
    manager: 'zypper',
    kind: 'needs-rebooting',
    description: 'reboot state from the exit status of `zypper needs-rebooting`',
    input: 'its output (only the exit status decides; the text may change between versions)',
    options: [{ name: '--exit', value: 'CODE', description: "the run's exit status", required: true }],
    read: async (context) => {
      await context.readInput();
      return rebootStateFromNeedsRebooting(readExitOption(context, 0));
    },
  },
  {
    manager: 'zypper',
    kind: 'kernels',
    description: 'reboot state from the running kernel against the installed kernel-<flavour> packages',
    input: 'rpm -qa output in the rpm-query format',
    options: [{ name: '--uname-r', value: 'VALUE', description: 'running kernel release, as `uname -r` prints it', required: true }],
    read: async (context) => {
      const running = context.option('--uname-r') ?? '';
      return rebootStateFromKernelCandidates({
        running,
        candidates: rpmKernelCandidates(running, parseRpmQuery(await context.readInput()).installed),
        compare: compareRpmVersions,
        orderName: 'rpm version order',
      });
    },
  },
];
