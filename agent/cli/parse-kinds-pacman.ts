import { rebootStateFromKernelCandidates } from '../package-managers/kernel-reboot';
import { classifyPacmanFailure } from '../package-managers/pacman/classify-failure';
import { pacmanKernelCandidates } from '../package-managers/pacman/kernel-candidates';
import { parsePacmanPrint, parsePacmanQuery, parsePacmanQueryUpgrades } from '../package-managers/pacman/parse-query';
import { comparePacmanVersions } from '../package-managers/pacman-version';
import { readExitOption } from './parse-kinds-dnf';
import type { ParseKind } from './parse-kind';

/** The pacman outputs that `pm-agent parse pacman <kind>` reads. */
export const PACMAN_PARSE_KINDS: readonly ParseKind[] = [
  {
    manager: 'pacman',
    kind: 'query',
    description: 'installed packages from `pacman -Q`',
    input: 'output of `LC_ALL=C pacman -Q`',
    options: [],
    read: async (context) => parsePacmanQuery(await context.readInput()),
  },
  {
    manager: 'pacman',
    kind: 'upgrades',
    description: 'pending updates from `pacman -Qu` (never marked as security fixes: pacman has no such data)',
    input: 'output of `LC_ALL=C pacman -Qu`',
    options: [],
    read: async (context) => parsePacmanQueryUpgrades(await context.readInput()),
  },
  {
    manager: 'pacman',
    kind: 'print',
    description: "targets of a dry run printed with the agent's format",
    input: "output of `LC_ALL=C pacman -Syu --print --print-format '%n %v %r'`",
    options: [],
    read: async (context) => parsePacmanPrint(await context.readInput()),
  },
  {
    manager: 'pacman',
    kind: 'kernels',
    description: 'reboot state from the running kernel against the installed linux package of its flavour',
    input: 'output of `LC_ALL=C pacman -Q`',
    options: [{ name: '--uname-r', value: 'VALUE', description: 'running kernel release, as `uname -r` prints it', required: true }],
    read: async (context) => {
      const running = context.option('--uname-r') ?? '';
      return rebootStateFromKernelCandidates({
        running,
        candidates: pacmanKernelCandidates(running, parsePacmanQuery(await context.readInput())),
        compare: comparePacmanVersions,
        orderName: 'pacman version order',
      });
    },
  },
  {
    manager: 'pacman',
    kind: 'failure',
    description: 'cause of a failed pacman run (lock held, no space, mirror unreachable), or null for success',
    input: "the run's stderr",
    options: [
      { name: '--stdout', value: 'FILE', description: "the run's stdout (default: empty)" },
      { name: '--exit', value: 'CODE', description: "the run's exit status (default: 1, pacman's status for any error)" },
      { name: '--timed-out', value: null, description: 'the run was stopped because it exceeded its timeout' },
    ],
    read: async (context) =>
      classifyPacmanFailure({
        exitCode: readExitOption(context, 1),
        stdout: (await context.readOptionFile('--stdout')) ?? '',
        stderr: await context.readInput(),
        timedOut: context.option('--timed-out') !== undefined,
      }),
  },
];
