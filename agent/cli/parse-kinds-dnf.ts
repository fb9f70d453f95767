import { interpretDnfCheckUpdate } from '../package-managers/dnf/interpret-check-update';
import { classifyDnfFailure } from '../package-managers/dnf/classify-failure';
import { parseDnfTransaction } from '../package-managers/dnf/parse-transaction';
import { parseDnfUpdateinfoList } from '../package-managers/dnf/parse-updateinfo';
import { rebootStateFromNeedsRestarting } from '../package-managers/dnf/reboot-state';
import { rebootStateFromKernelCandidates } from '../package-managers/kernel-reboot';
import { compareRpmVersions } from '../package-managers/rpm-version';
import { rpmKernelCandidates } from '../package-managers/rpm/kernel-candidates';
import { parseRpmQuery, RPM_QUERY_FORMAT } from '../package-managers/rpm/parse-rpm-query';
import { ParseUsageError, type ParseContext, type ParseKind, type ParseOption } from './parse-kind';

const EXIT_OPTION: ParseOption = { name: '--exit', value: 'CODE', description: "the run's exit status" };
const STDERR_OPTION: ParseOption = { name: '--stderr', value: 'FILE', description: "the run's stderr (default: empty)" };

/** Reads `--exit`, or returns `fallback` when it is absent. */
export function readExitOption(context: ParseContext, fallback: number): number {
  const text = context.option('--exit');
  if (text === undefined) return fallback;
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > 255) {
    throw new ParseUsageError(`invalid --exit value '${text}': expected an exit status from 0 to 255`);
  }
  return Number(text);
}

/** Builds the rows for the rpm queries and dnf or yum outputs that `pm-agent parse <dnf|yum> <kind>` reads. */
function rpmFamilyKinds(manager: 'dnf' | 'yum'): ParseKind[] {
  return [
    {
      manager,
      kind: 'check-update',
      description: `pending updates, obsoletes and failure of \`${manager} check-update\` (exit 100 = updates, 0 = none)`,
      input: `stdout of \`LC_ALL=C ${manager} check-update\``,
      options: [{ ...EXIT_OPTION, description: "the run's exit status (default: 100, updates listed)" }, STDERR_OPTION],
      read: async (context) =>
        interpretDnfCheckUpdate({
          exitCode: readExitOption(context, 100),
          stdout: await context.readInput(),
          stderr: (await context.readOptionFile('--stderr')) ?? '',
          timedOut: false,
        }),
    },
    {
      manager,
      kind: 'updateinfo',
      description: 'advisories with type, severity and package from `updateinfo list`',
      input: `output of \`LC_ALL=C ${manager} updateinfo list\` (optionally with --security)`,
      options: [],
      read: async (context) => parseDnfUpdateinfoList(await context.readInput()),
    },
    {
      manager,
      kind: 'rpm-query',
      description: 'installed packages and excluded signing keys from rpm -qa',
      input: `output of \`LC_ALL=C rpm -qa --qf '${RPM_QUERY_FORMAT}'\`, or its first five columns`,
      options: [],
      read: async (context) => parseRpmQuery(await context.readInput()),
    },
    {
      manager,
      kind: 'transaction',
      description: 'the transaction table that an upgrade, distro-sync or test run prints',
      input: `stdout of \`LC_ALL=C ${manager} -y --setopt=tsflags=test upgrade\` or any other transaction`,
      options: [],
      read: async (context) => parseDnfTransaction(await context.readInput()),
    },
    {
      manager,
      kind: 'needs-restarting',
      description: 'reboot state from `needs-restarting -r`, or null when the output is not its known form',
      input: 'stdout of `LC_ALL=C needs-restarting -r`',
      options: [{ ...EXIT_OPTION, required: true }],
      read: async (context) => rebootStateFromNeedsRestarting(readExitOption(context, 0), await context.readInput()),
    },
    {
      manager,
      kind: 'kernels',
      description: 'reboot state from the running kernel against the installed kernel packages',
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
    {
      manager,
      kind: 'failure',
      description: `cause of a failed ${manager} run (lock held, no space, repository unreachable), or null for success`,
      input: "the run's stderr",
      options: [
        { name: '--stdout', value: 'FILE', description: "the run's stdout (default: empty)" },
        { ...EXIT_OPTION, description: "the run's exit status (default: 1, dnf's status for an error)" },
        { name: '--timed-out', value: null, description: 'the run was stopped because it exceeded its timeout' },
      ],
      read: async (context) =>
        classifyDnfFailure({
          exitCode: readExitOption(context, 1),
          stdout: (await context.readOptionFile('--stdout')) ?? '',
          stderr: await context.readInput(),
          timedOut: context.option('--timed-out') !== undefined,
        }),
    },
  ];
}

export const DNF_PARSE_KINDS: readonly ParseKind[] = rpmFamilyKinds('dnf');
export const YUM_PARSE_KINDS: readonly ParseKind[] = rpmFamilyKinds('yum');
