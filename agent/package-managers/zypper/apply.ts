import { runCommand, type RunCommandResult } from '../../exec';
import { diffInventories } from '../installed-diff';
import { compareRpmVersions } from '../rpm-version';
import { listRpmInstalled } from '../rpm/list-installed';
import { checkPackageNames } from '../run-query';
import type { FailureClassification, InstalledPackage, OutputSink, PackageChange, PatchOutcome, PatchRequest, RebootState } from '../types';
import { zypperGlobalArguments, type ZypperContext } from './context';
import { interpretZypperRun } from './exit-status';
import { parseZypperInstallSummary } from './parse-xml';
import { readZypperRebootState } from './reboot-state';

type RunResult = Omit<PatchOutcome, 'reboot' | 'durationMs'>;

const RPM_PACKAGE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;

/** zypper exits with 103 after it updated itself; the agent runs the same command again, at most this often. */
const MAX_RERUNS = 2;

/**
 * Returns the zypper subcommand for one action: `update` (packages only, never
 * removes), `patch --category security`, `update -- <names>`, `dist-upgrade`, or
 * `refresh`. Installing commands agree to licenses, because no one can answer the prompt.
 */
export function zypperActionArguments(request: PatchRequest): string[] {
  const dryRun = request.dryRun ? ['--dry-run'] : [];
  switch (request.action) {
    case 'refresh':
      return ['refresh'];
    case 'upgrade-all':
      return ['update', '--auto-agree-with-licenses', ...dryRun];
    case 'security':
      return ['patch', '--category', 'security', '--auto-agree-with-licenses', ...dryRun];
    case 'packages':
      return ['update', '--auto-agree-with-licenses', ...dryRun, '--', ...request.packages];
    case 'dist-upgrade':
      return ['dist-upgrade', '--auto-agree-with-licenses', ...dryRun];
  }
}

/**
 * Runs one patch request with zypper and reports what changed. Exit statuses follow
 * zypper's table (`interpretZypperRun`): after 103 the same command runs again, and
 * 102 makes the reported reboot state `yes`. A dry run passes `--dry-run` with
 * `--xmlout`, and its changes come from the install summary; real runs compare rpm
 * database snapshots. A dry run of a refresh runs nothing.
 */
export async function applyZypperRequest(context: ZypperContext, request: PatchRequest, output: OutputSink, signal: AbortSignal): Promise<PatchOutcome> {
  const started = Date.now();
  let rebootNeeded = false;
  const finish = async (result: RunResult): Promise<PatchOutcome> => {
    const reboot = await rebootStateOrUnknown(context);
    return {
      ...result,
      reboot: rebootNeeded && reboot.required !== 'yes' ? { required: 'yes', reason: 'zypper exited with 102 (reboot needed)', packages: [] } : reboot,
      durationMs: Date.now() - started,
    };
  };

  if (request.action === 'packages') {
    const invalid = checkPackageNames(request.packages, RPM_PACKAGE_NAME, 'an rpm package name has letters, digits and "._+-" and does not start with "-" or ".".');
    if (invalid !== null) return finish({ exitCode: null, status: 'failed', failure: { cause: 'unknown', message: invalid, retriable: false }, changes: [] });
  }
  if (request.action === 'refresh' && request.dryRun) {
    output('stdout', 'zypper refresh has no dry-run mode, so a dry run of a refresh runs nothing.');
    return finish({ exitCode: 0, status: 'succeeded', failure: null, changes: [] });
  }

  let before: InstalledPackage[] = [];
  try {
    if (request.action !== 'refresh') before = await listInstalled(context, signal);
  } catch (error) {
    return finish({ exitCode: null, status: 'failed', failure: { cause: 'unknown', message: `Reading the rpm database failed: ${(error as Error).message}`, retriable: false }, changes: [] });
  }

  const args = [...zypperGlobalArguments(context), ...(request.dryRun ? ['--xmlout'] : []), ...zypperActionArguments(request)];
  let result: RunCommandResult | null = null;
  let failure: FailureClassification | null = null;
  for (let attempt = 0; attempt <= MAX_RERUNS; attempt += 1) {
    output('stdout', `$ zypper ${args.join(' ')}`);
    try {
      result = await runCommand({
        command: 'zypper',
        args,
        env: context.env,
        timeoutMs: Math.max(1, started + request.timeoutSeconds * 1000 - Date.now()),
        signal,
        onLine: output,
      });
    } catch (error) {
      return finish({ exitCode: null, status: 'failed', failure: { cause: 'unknown', message: (error as Error).message, retriable: false }, changes: [] });
    }

    const reading = interpretZypperRun(result);
    failure = result.aborted ? { cause: 'cancelled', message: 'zypper was stopped because the job was cancelled.', retriable: false } : reading.failure;
    rebootNeeded ||= reading.rebootRequired;
    if (!reading.rerun || request.dryRun || result.aborted) break;
    output('stdout', 'zypper updated itself (exit status 103), so the command runs again.');
  }

  const exitCode = result?.exitCode ?? null;
  let changes: PackageChange[] = [];
  try {
    if (request.dryRun) {
      changes = changesFromSummary(result?.stdout ?? '');
    } else if (request.action !== 'refresh') {
      changes = diffInventories(before, await listInstalled(context), compareRpmVersions);
    }
  } catch (error) {
    failure ??= { cause: 'unknown', message: `reading the rpm database after zypper failed: ${(error as Error).message}`, retriable: false };
  }

  return finish({ exitCode, status: failure === null ? 'succeeded' : 'failed', failure, changes });
}

function listInstalled(context: ZypperContext, signal?: AbortSignal): Promise<InstalledPackage[]> {
  return listRpmInstalled({ root: context.root, env: context.env, timeoutMs: context.commandTimeoutMs, signal });
}

function changesFromSummary(xml: string): PackageChange[] {
  const summary = parseZypperInstallSummary(xml);
  const packagesOnly = (kind: string): boolean => kind === 'package';

  return [
    ...summary.upgrades.filter((item) => packagesOnly(item.kind)).map((item) => ({ name: item.name, arch: item.arch, before: item.editionOld, after: item.edition })),
    ...summary.installs.filter((item) => packagesOnly(item.kind)).map((item) => ({ name: item.name, arch: item.arch, before: null, after: item.edition })),
    ...summary.removals.filter((item) => packagesOnly(item.kind)).map((item) => ({ name: item.name, arch: item.arch, before: item.edition, after: null })),
  ].sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}

async function rebootStateOrUnknown(context: ZypperContext): Promise<RebootState> {
  try {
    return await readZypperRebootState(context);
  } catch (error) {
    return { required: 'unknown', reason: `reading the reboot state failed: ${(error as Error).message}`, packages: [] };
  }
}
