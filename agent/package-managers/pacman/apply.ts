import { runCommand, type RunCommandResult } from '../../exec';
import { diffInventories } from '../installed-diff';
import { comparePacmanVersions } from '../pacman-version';
import { checkPackageNames } from '../run-query';
import type { FailureClassification, InstalledPackage, OutputSink, PackageChange, PatchOutcome, PatchRequest, RebootState } from '../types';
import { classifyPacmanFailure } from './classify-failure';
import { pacmanGlobalArguments, type PacmanContext } from './context';
import { parsePacmanPrint } from './parse-query';
import { listPacmanInstalled, PACMAN_PRINT_FORMAT, readPacmanRebootState } from './queries';

type RunResult = Omit<PatchOutcome, 'reboot' | 'durationMs'>;

/** pacman package names: lower-case letters, digits and `@._+-`, not starting with `-` or `.`. */
const PACMAN_PACKAGE_NAME = /^[a-z0-9@_+][a-z0-9@._+-]*$/;

/**
 * Returns the pacman operation for one action. Arch supports only full upgrades, so
 * `upgrade-all` and `dist-upgrade` both run `-Syu`; `packages` runs `-S --needed` on
 * the names; `refresh` runs `-Sy`. A dry run adds `--print` with the agent's print
 * format, which lists the targets and changes nothing but the sync databases.
 * `security` has no pacman equivalent and is rejected before this is called.
 */
export function pacmanActionArguments(request: PatchRequest): string[] {
  const mode = request.dryRun ? ['--print', '--print-format', PACMAN_PRINT_FORMAT] : ['--noconfirm', '--noprogressbar'];
  switch (request.action) {
    case 'refresh':
      return ['-Sy'];
    case 'upgrade-all':
    case 'dist-upgrade':
    case 'security':
      return ['-Syu', ...mode];
    case 'packages':
      return ['-S', '--needed', ...mode, '--', ...request.packages];
  }
}

/**
 * Runs one patch request with pacman and reports what changed, from `pacman -Q`
 * snapshots before and after the run, or for a dry run from the printed targets.
 * A `security` request fails without running pacman, because Arch publishes no
 * security classification that pacman can read.
 */
export async function applyPacmanRequest(context: PacmanContext, request: PatchRequest, output: OutputSink, signal: AbortSignal): Promise<PatchOutcome> {
  const started = Date.now();
  const finish = async (result: RunResult): Promise<PatchOutcome> => ({ ...result, reboot: await rebootStateOrUnknown(context), durationMs: Date.now() - started });
  const fail = (message: string): RunResult => ({ exitCode: null, status: 'failed', failure: { cause: 'unknown', message, retriable: false }, changes: [] });

  if (request.action === 'security') {
    return finish(fail('pacman has no security classification, so a security-only run is not possible; run a full upgrade instead.'));
  }
  if (request.action === 'packages') {
    const invalid = checkPackageNames(request.packages, PACMAN_PACKAGE_NAME, 'a pacman package name has lower-case letters, digits and "@._+-" and does not start with "-" or ".".');
    if (invalid !== null) return finish(fail(invalid));
  }
  if (request.action === 'refresh' && request.dryRun) {
    output('stdout', 'pacman -Sy has no dry-run mode, so a dry run of a refresh runs nothing.');
    return finish({ exitCode: 0, status: 'succeeded', failure: null, changes: [] });
  }

  let before: InstalledPackage[] = [];
  try {
    if (request.action !== 'refresh') before = await listPacmanInstalled(context, signal);
  } catch (error) {
    return finish(fail(`Reading the pacman database failed: ${(error as Error).message}`));
  }

  const args = [...pacmanGlobalArguments(context), ...pacmanActionArguments(request)];
  output('stdout', `$ pacman ${args.join(' ')}`);

  let result: RunCommandResult;
  try {
    result = await runCommand({
      command: 'pacman',
      args,
      env: context.env,
      timeoutMs: Math.max(1, started + request.timeoutSeconds * 1000 - Date.now()),
      signal,
      onLine: output,
    });
  } catch (error) {
    return finish(fail((error as Error).message));
  }

  let failure: FailureClassification | null = result.aborted
    ? { cause: 'cancelled', message: 'pacman was stopped because the job was cancelled.', retriable: false }
    : classifyPacmanFailure(result);
  let changes: PackageChange[] = [];
  try {
    if (request.dryRun) {
      changes = parsePacmanPrint(result.stdout).map((target) => ({
        name: target.name,
        arch: '',
        before: before.find((item) => item.name === target.name)?.version ?? null,
        after: target.version,
      }));
    } else if (request.action !== 'refresh') {
      changes = diffInventories(before, await listPacmanInstalled(context), comparePacmanVersions);
    }
  } catch (error) {
    failure ??= { cause: 'unknown', message: `reading the pacman database after the run failed: ${(error as Error).message}`, retriable: false };
  }

  return finish({ exitCode: result.exitCode, status: failure === null ? 'succeeded' : 'failed', failure, changes });
}

async function rebootStateOrUnknown(context: PacmanContext): Promise<RebootState> {
  try {
    return await readPacmanRebootState(context);
  } catch (error) {
    return { required: 'unknown', reason: `reading the reboot state failed: ${(error as Error).message}`, packages: [] };
  }
}
