import os from 'node:os';
import { runCommand } from '../../exec';
import { listRpmInstalled } from '../rpm/list-installed';
import type { OutputSink, PackageManagerBackend } from '../types';
import { applyZypperRequest } from './apply';
import { zypperEnvironment, zypperGlobalArguments, type ZypperContext } from './context';
import { interpretZypperRun } from './exit-status';
import { listZypperPendingUpdates } from './list-pending-updates';
import { readZypperRebootState } from './reboot-state';

export interface ZypperBackendOptions {
  /** Root for `zypper --root` and `rpm --root`; the tests use it to stay off the machine's packages. */
  root?: string;
  /** Seconds zypper waits for the ZYpp lock (`ZYPP_LOCK_TIMEOUT`). Defaults to 60. */
  lockTimeoutSeconds?: number;
  /** Milliseconds allowed for each read-only query. Defaults to 120000. */
  commandTimeoutMs?: number;
  /** Kernel release the installed kernels are compared with; defaults to the running one. */
  runningKernel?: string;
}

export type ZypperBackend = PackageManagerBackend & {
  /** Runs `zypper refresh`; throws when it fails, with the classified cause in the message. */
  refreshLists(output?: OutputSink, signal?: AbortSignal): Promise<void>;
};

/**
 * Creates the zypper backend for SUSE hosts. Inventory comes from the rpm database,
 * pending updates from `list-updates` with security marks from the needed patches of
 * category security, and the reboot state from `needs-rebooting` and the kernel
 * comparison. Every command runs with `LC_ALL=C`, no stdin and `--non-interactive`.
 */
export function createZypperBackend(options: ZypperBackendOptions = {}): ZypperBackend {
  const context: ZypperContext = {
    root: options.root,
    commandTimeoutMs: options.commandTimeoutMs ?? 120_000,
    runningKernel: options.runningKernel ?? os.release(),
    env: zypperEnvironment(options.lockTimeoutSeconds ?? 60, options.root),
  };

  return {
    name: 'zypper',
    listInstalled: () => listRpmInstalled({ root: context.root, env: context.env, timeoutMs: context.commandTimeoutMs }),
    listPendingUpdates: () => listZypperPendingUpdates(context),
    rebootState: () => readZypperRebootState(context),
    apply: (request, output, signal) => applyZypperRequest(context, request, output, signal),
    refreshLists: (output, signal) => refreshLists(context, output, signal),
  };
}

async function refreshLists(context: ZypperContext, output?: OutputSink, signal?: AbortSignal): Promise<void> {
  const result = await runCommand({
    command: 'zypper',
    args: [...zypperGlobalArguments(context), 'refresh'],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
    onLine: output,
  });
  if (result.aborted) throw new Error('zypper refresh was cancelled');

  const reading = interpretZypperRun(result);
  if (reading.failure !== null) throw new Error(`zypper refresh failed (${reading.failure.cause}): ${reading.failure.message}`);
}
