import { runCommand, type RunCommandResult } from '@/agent/exec';
import type {
  FailureClassification,
  InstalledPackage,
  OutputSink,
  PackageChange,
  PatchOutcome,
  PatchRequest,
  RebootState,
} from '../types';
import { aptGetActionArguments, aptGetCommonArguments } from './apt-get-arguments';
import { classifyAptFailure } from './classify-failure';
import { runAptQuery, type AptContext } from './context';
import { listAptInstalled } from './list-installed';
import { listAptPendingUpdates } from './list-pending-updates';
import { changesFromSimulation, diffInstalledPackages } from './package-changes';
import { isValidAptPackageName } from './package-name';
import { parseAptMarkShowhold } from './parse-showhold';
import { parseAptSimulation } from './parse-simulation';
import { readAptRebootState } from './reboot-state';

type RunResult = Omit<PatchOutcome, 'reboot' | 'durationMs'>;

/** Either the apt-get arguments to run, or the reason there is nothing to run. */
type RunPlan =
  | { kind: 'run'; args: string[] }
  | { kind: 'skip'; message: string }
  | { kind: 'fail'; message: string; notInstalled?: string[] };

/**
 * Runs one patch request with apt-get and reports what changed.
 *
 * Package names of a `packages` request are checked against dpkg's naming rules before
 * anything runs, and an invalid name fails the request. `security` installs the pending
 * updates marked as security fixes, leaving held packages alone, and succeeds without
 * running apt-get when there are none. A dry run passes `-s`, and its changes are the
 * simulation's; a refresh has no simulation, so its dry run runs nothing. Otherwise
 * the changes come from comparing dpkg-query snapshots taken before and after the run,
 * also when the run fails, times out or is cancelled.
 *
 * `apt-get install` marks every package it upgrades as manually installed, which would
 * stop `apt-get autoremove` from removing dependencies that are no longer needed.
 * After `security` and `packages` runs the earlier automatic marks are restored.
 */
export async function applyAptRequest(
  context: AptContext,
  request: PatchRequest,
  output: OutputSink,
  signal: AbortSignal,
): Promise<PatchOutcome> {
  const started = Date.now();
  const finish = async (result: RunResult): Promise<PatchOutcome> => ({
    ...result,
    reboot: await rebootStateOrUnknown(context),
    durationMs: Date.now() - started,
  });

  const invalidNames = request.action === 'packages' ? findInvalidPackageNames(request.packages) : null;
  if (invalidNames !== null) {
    return finish(failedBeforeStart(invalidNames, null));
  }

  let plan: RunPlan;
  let before: InstalledPackage[] = [];
  let autoBefore: Set<string> | null = null;
  try {
    plan = await planRun(context, request, signal);
    if (plan.kind === 'run' && request.action !== 'refresh') {
      before = await listAptInstalled(context, signal);
    }
    if (plan.kind === 'run' && !request.dryRun && (request.action === 'security' || request.action === 'packages')) {
      autoBefore = new Set(parseAptMarkShowhold(await runAptQuery(context, 'apt-mark', ['showauto'], { signal })));
    }
  } catch (error) {
    return finish(failedBeforeStart(`Preparing the apt-get run failed: ${(error as Error).message}`, signal));
  }

  if (plan.kind === 'fail') {
    output('stderr', plan.message);
    if (plan.notInstalled) {
      const failure: FailureClassification = { cause: 'package-not-installed', message: plan.message, retriable: false, packages: plan.notInstalled };
      return finish({ exitCode: null, status: 'failed', failure, changes: [] });
    }
    return finish(failedBeforeStart(plan.message, null));
  }

  if (plan.kind === 'skip') {
    output('stdout', plan.message);
    return finish({ exitCode: 0, status: 'succeeded', failure: null, changes: [] });
  }

  const args = [...aptGetCommonArguments({ lockTimeoutSeconds: context.lockTimeoutSeconds, dryRun: request.dryRun }), ...plan.args];
  output('stdout', `$ apt-get ${args.join(' ')}`);

  let result: RunCommandResult;
  try {
    result = await runCommand({
      command: 'apt-get',
      args,
      env: context.env,
      timeoutMs: Math.max(1, started + request.timeoutSeconds * 1000 - Date.now()),
      signal,
      onLine: output,
    });
  } catch (error) {
    return finish(failedBeforeStart((error as Error).message, null));
  }

  let failure = classifyRun(result, request);
  let changes: PackageChange[] = [];
  try {
    if (request.dryRun) {
      changes = changesFromSimulation(parseAptSimulation(result.stdout), before);
    } else if (request.action !== 'refresh') {
      changes = diffInstalledPackages(before, await listAptInstalled(context));
    }
    if (autoBefore !== null) {
      await restoreAutomaticMarks(context, autoBefore, output);
    }
  } catch (error) {
    output('stderr', `Reading the package state after apt-get failed: ${(error as Error).message}`);
    failure ??= {
      cause: 'unknown',
      message: `reading the package state after apt-get failed: ${(error as Error).message}`,
      retriable: false,
    };
  }

  return finish({ exitCode: result.exitCode, status: failure === null ? 'succeeded' : 'failed', failure, changes });
}

async function planRun(context: AptContext, request: PatchRequest, signal: AbortSignal): Promise<RunPlan> {
  if (request.action === 'refresh') {
    if (request.dryRun) {
      return { kind: 'skip', message: 'apt-get update has no simulation mode, so a dry run of a refresh runs nothing.' };
    }
    return { kind: 'run', args: ['update'] };
  }

  if (request.action === 'packages') {
    // apt-get reads a name that matches no package as a regular expression when it
    // contains `.`, `?` or `*`, so every name must be an installed package.
    const installed = new Set((await listAptInstalled(context, signal)).flatMap((item) => [item.name, `${item.name}:${item.arch}`]));
    const unknown = request.packages.filter((name) => !installed.has(name));
    if (unknown.length > 0) {
      return {
        kind: 'fail',
        message: `Not installed on this host: ${unknown.join(', ')}; the packages action only upgrades installed packages.`,
        notInstalled: unknown,
      };
    }
  }

  if (request.action !== 'security') {
    return { kind: 'run', args: aptGetActionArguments(request.action, request.packages) };
  }

  const pending = await listAptPendingUpdates(context, signal);
  const names = [
    ...new Set(pending.filter((update) => update.security && !update.held && update.installed !== null).map((update) => update.name)),
  ];
  if (names.length === 0) {
    return { kind: 'skip', message: 'No security updates are pending.' };
  }

  return { kind: 'run', args: aptGetActionArguments('security', names) };
}

function findInvalidPackageNames(packages: string[]): string | null {
  if (packages.length === 0) {
    return 'The packages action needs at least one package name.';
  }

  const invalid = packages.filter((name) => !isValidAptPackageName(name));
  if (invalid.length === 0) {
    return null;
  }

  const list = invalid.map((name) => JSON.stringify(name)).join(', ');
  return `Invalid package name ${list}: a dpkg package name has lower-case letters, digits, "+", "-" and ".", starts with a letter or digit, and may end in ":<arch>".`;
}

function failedBeforeStart(message: string, signal: AbortSignal | null): RunResult {
  const failure: FailureClassification = signal?.aborted
    ? { cause: 'cancelled', message: 'The run was cancelled before apt-get started.', retriable: false }
    : { cause: 'unknown', message, retriable: false };

  return { exitCode: null, status: 'failed', failure, changes: [] };
}

function classifyRun(result: RunCommandResult, request: PatchRequest): FailureClassification | null {
  if (result.aborted) {
    return { cause: 'cancelled', message: 'apt-get was stopped because the job was cancelled.', retriable: false };
  }

  if (result.timedOut) {
    return {
      cause: 'timeout',
      message: `apt-get did not finish within ${request.timeoutSeconds} s and was stopped.`,
      retriable: true,
    };
  }

  return classifyAptFailure({
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    timedOut: false,
  });
}

/** Marks again as automatically installed the packages that apt-get install made manual. */
async function restoreAutomaticMarks(context: AptContext, autoBefore: Set<string>, output: OutputSink): Promise<void> {
  const autoAfter = new Set(parseAptMarkShowhold(await runAptQuery(context, 'apt-mark', ['showauto'])));
  const installedAfter = new Set((await listAptInstalled(context)).map((item) => item.name));
  const lost = [...autoBefore].filter((name) => !autoAfter.has(name) && installedAfter.has(name.split(':')[0] ?? name));
  if (lost.length === 0) {
    return;
  }

  output('stdout', `$ apt-mark auto ${lost.join(' ')}`);
  await runAptQuery(context, 'apt-mark', ['auto', ...lost]);
}

async function rebootStateOrUnknown(context: AptContext): Promise<RebootState> {
  try {
    return await readAptRebootState(context);
  } catch (error) {
    return { required: 'unknown', reason: `reading the reboot state failed: ${(error as Error).message}`, packages: [] };
  }
}
