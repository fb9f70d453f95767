import { runCommand, type RunCommandResult } from '../../exec';
import { diffInventories } from '../installed-diff';
import { compareRpmVersions } from '../rpm-version';
import { listRpmInstalled } from '../rpm/list-installed';
import { checkPackageNames } from '../run-query';
import type { FailureClassification, InstalledPackage, OutputSink, PackageChange, PatchOutcome, PatchRequest, RebootState } from '../types';
import { classifyDnfFailure } from './classify-failure';
import { dnfGlobalArguments, type DnfContext } from './context';
import { parseDnfTransaction } from './parse-transaction';
import { readDnfRebootState } from './reboot-state';

type RunResult = Omit<PatchOutcome, 'reboot' | 'durationMs'>;

/** rpm package names: letters, digits and `._+-`, never starting with `-`, so no name reads as an option. */
const RPM_PACKAGE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;

/**
 * Returns the dnf or yum arguments for one action, after the global ones.
 *
 * - `upgrade-all`: `upgrade` (yum: `update`), which also follows obsoletes;
 * - `security`: the same with `--security`, which limits it to updates that an
 *   updateinfo advisory of type security fixes;
 * - `packages`: `upgrade` of the named packages only, after `--`;
 * - `dist-upgrade`: `distro-sync`, which may also downgrade or remove packages;
 * - `refresh`: `makecache --refresh` (yum: `makecache`).
 *
 * A dry run adds `--setopt=tsflags=test`: dnf resolves, downloads and runs rpm's
 * transaction test (file conflicts, scriptlet dependencies) and installs nothing, and
 * exits with 0 when the real run would succeed. `--assumeno` was not chosen because
 * it always exits with 1 and skips the transaction test.
 */
export function dnfActionArguments(tool: DnfContext['tool'], request: PatchRequest): string[] {
  const upgrade = tool === 'dnf' ? 'upgrade' : 'update';
  const dryRun = request.dryRun ? ['--setopt=tsflags=test'] : [];

  switch (request.action) {
    case 'refresh':
      return tool === 'dnf' ? ['makecache', '--refresh'] : ['makecache'];
    case 'upgrade-all':
      return ['-y', ...dryRun, upgrade];
    case 'security':
      return ['-y', ...dryRun, upgrade, '--security'];
    case 'packages':
      return ['-y', ...dryRun, upgrade, '--', ...request.packages];
    case 'dist-upgrade':
      return ['-y', ...dryRun, 'distro-sync'];
  }
}

/**
 * Runs one patch request with dnf or yum and reports what changed. Real runs compare
 * rpm database snapshots taken before and after the run, also when it fails or is
 * cancelled. A dry run reads the transaction table dnf printed and takes the installed
 * versions from the snapshot. A dry run of a refresh runs nothing. Exit status 0 is success and
 * every other status a failure, classified from the output.
 */
export async function applyDnfRequest(context: DnfContext, request: PatchRequest, output: OutputSink, signal: AbortSignal): Promise<PatchOutcome> {
  const started = Date.now();
  const finish = async (result: RunResult): Promise<PatchOutcome> => ({
    ...result,
    reboot: await rebootStateOrUnknown(context),
    durationMs: Date.now() - started,
  });

  if (request.action === 'packages') {
    const invalid = checkPackageNames(request.packages, RPM_PACKAGE_NAME, 'an rpm package name has letters, digits and "._+-" and does not start with "-" or ".".');
    if (invalid !== null) return finish(failed({ cause: 'unknown', message: invalid, retriable: false }));
  }

  if (request.action === 'refresh' && request.dryRun) {
    output('stdout', `${context.tool} makecache has no test mode, so a dry run of a refresh runs nothing.`);
    return finish({ exitCode: 0, status: 'succeeded', failure: null, changes: [] });
  }

  let before: InstalledPackage[] = [];
  try {
    if (request.action !== 'refresh') before = await listInstalled(context, signal);
  } catch (error) {
    const failure: FailureClassification = signal.aborted
      ? { cause: 'cancelled', message: `The run was cancelled before ${context.tool} started.`, retriable: false }
      : { cause: 'unknown', message: `Reading the rpm database failed: ${(error as Error).message}`, retriable: false };
    return finish(failed(failure));
  }

  const args = [...dnfGlobalArguments(context), ...dnfActionArguments(context.tool, request)];
  output('stdout', `$ ${context.tool} ${args.join(' ')}`);

  let result: RunCommandResult;
  try {
    result = await runCommand({
      command: context.tool,
      args,
      env: context.env,
      timeoutMs: Math.max(1, started + request.timeoutSeconds * 1000 - Date.now()),
      signal,
      onLine: output,
    });
  } catch (error) {
    return finish(failed({ cause: 'unknown', message: (error as Error).message, retriable: false }));
  }

  let failure = classifyRun(context, result, request);
  let changes: PackageChange[] = [];
  try {
    if (request.dryRun) {
      changes = changesFromTransaction(result.stdout, before);
    } else if (request.action !== 'refresh') {
      changes = diffInventories(before, await listInstalled(context), compareRpmVersions);
    }
  } catch (error) {
    output('stderr', `Reading the rpm database after ${context.tool} failed: ${(error as Error).message}`);
    failure ??= { cause: 'unknown', message: `reading the rpm database after ${context.tool} failed: ${(error as Error).message}`, retriable: false };
  }

  return finish({ exitCode: result.exitCode, status: failure === null ? 'succeeded' : 'failed', failure, changes });
}

function listInstalled(context: DnfContext, signal?: AbortSignal): Promise<InstalledPackage[]> {
  return listRpmInstalled({ root: context.installRoot, env: context.env, timeoutMs: context.commandTimeoutMs, signal });
}

function failed(failure: FailureClassification): RunResult {
  return { exitCode: null, status: 'failed', failure, changes: [] };
}

function classifyRun(context: DnfContext, result: RunCommandResult, request: PatchRequest): FailureClassification | null {
  if (result.aborted) {
    return { cause: 'cancelled', message: `${context.tool} was stopped because the job was cancelled.`, retriable: false };
  }

  const failure = classifyDnfFailure({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut });
  if (failure?.cause === 'timeout') {
    return { ...failure, message: `${context.tool} did not finish within ${request.timeoutSeconds} s and was stopped.` };
  }
  return failure;
}

/** Turns the transaction table into changes, with `before` from the installed snapshot. */
function changesFromTransaction(stdout: string, installed: InstalledPackage[]): PackageChange[] {
  const installedVersion = (name: string, arch: string): string | null =>
    installed.find((item) => item.name === name && item.arch === arch)?.version ?? null;

  return parseDnfTransaction(stdout)
    .filter((item) => item.action !== 'reinstall')
    .map((item) =>
      item.action === 'remove'
        ? { name: item.name, arch: item.arch, before: item.version, after: null }
        : { name: item.name, arch: item.arch, before: item.action === 'install' ? null : installedVersion(item.name, item.arch), after: item.version },
    )
    .sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}

async function rebootStateOrUnknown(context: DnfContext): Promise<RebootState> {
  try {
    return await readDnfRebootState(context);
  } catch (error) {
    return { required: 'unknown', reason: `reading the reboot state failed: ${(error as Error).message}`, packages: [] };
  }
}
