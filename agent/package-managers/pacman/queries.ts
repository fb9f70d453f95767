import { rebootStateFromKernelCandidates } from '../kernel-reboot';
import { comparePacmanVersions } from '../pacman-version';
import { runPackageQuery } from '../run-query';
import type { InstalledPackage, PendingUpdate, RebootState } from '../types';
import { pacmanGlobalArguments, type PacmanContext } from './context';
import { pacmanKernelCandidates } from './kernel-candidates';
import { parsePacmanPrint, parsePacmanQuery, parsePacmanQueryUpgrades } from './parse-query';

/** The `--print-format` the agent uses for dry runs and repository names: name, version, repository. */
export const PACMAN_PRINT_FORMAT = '%n %v %r';

/** Lists the installed packages with `pacman -Q`. */
export async function listPacmanInstalled(context: PacmanContext, signal?: AbortSignal): Promise<InstalledPackage[]> {
  const result = await runPackageQuery({
    command: 'pacman',
    args: [...pacmanGlobalArguments(context), '-Q'],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
  });
  return parsePacmanQuery(result.stdout);
}

/**
 * Lists the pending updates with `pacman -Qu` against the sync databases of the last
 * refresh (`pacman -Sy`), which exits with 1 when nothing is out of date. The
 * repository of each update comes from `pacman -Su --print`. pacman has no security
 * metadata: every update has `security` false and no advisories.
 */
export async function listPacmanPendingUpdates(context: PacmanContext, signal?: AbortSignal): Promise<PendingUpdate[]> {
  const global = pacmanGlobalArguments(context);
  const query = { env: context.env, timeoutMs: context.commandTimeoutMs, signal };

  const upgrades = await runPackageQuery({ ...query, command: 'pacman', args: [...global, '-Qu'], okExitCodes: [0, 1] });
  const updates = parsePacmanQueryUpgrades(upgrades.stdout);
  if (updates.length === 0) return [];

  const printed = await runPackageQuery({ ...query, command: 'pacman', args: [...global, '-Su', '--print', '--print-format', PACMAN_PRINT_FORMAT] });
  const repositories = new Map(parsePacmanPrint(printed.stdout).map((target) => [target.name, target.repository]));
  return updates.map((update) => ({ ...update, repository: repositories.get(update.name) ?? '' }));
}

/**
 * Compares the running kernel with the installed kernel package of its flavour in
 * pacman's version order. Arch has no reboot flag, so this is the only source.
 */
export async function readPacmanRebootState(context: PacmanContext, signal?: AbortSignal): Promise<RebootState> {
  const installed = await listPacmanInstalled(context, signal);
  return rebootStateFromKernelCandidates({
    running: context.runningKernel,
    candidates: pacmanKernelCandidates(context.runningKernel, installed),
    compare: comparePacmanVersions,
    orderName: 'pacman version order',
  });
}
