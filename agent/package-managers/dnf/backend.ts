import os from 'node:os';
import { runCommand } from '../../exec';
import { listRpmInstalled } from '../rpm/list-installed';
import type { OutputSink, PackageManagerBackend } from '../types';
import { applyDnfRequest } from './apply';
import { classifyDnfFailure } from './classify-failure';
import { dnfEnvironment, dnfGlobalArguments, type DnfContext } from './context';
import { listDnfPendingUpdates } from './list-pending-updates';
import { readDnfRebootState } from './reboot-state';

export interface DnfBackendOptions {
  /** `dnf` (default), or `yum` on hosts where dnf is absent. */
  tool?: 'dnf' | 'yum';
  /** Root for `--installroot` and `rpm --root`; the tests use it to stay off the machine's packages. */
  installRoot?: string;
  /** `--releasever` for a root without a release package. */
  releasever?: string;
  /** Milliseconds allowed for each read-only query. Defaults to 120000. */
  commandTimeoutMs?: number;
  /** Kernel release the installed kernels are compared with; defaults to the running one (`uname -r`). */
  runningKernel?: string;
}

export type DnfBackend = PackageManagerBackend & {
  /** Runs `makecache --refresh`; throws when it fails, with the classified cause in the message. */
  refreshLists(output?: OutputSink, signal?: AbortSignal): Promise<void>;
};

/**
 * Creates the dnf backend for Red Hat family hosts (RHEL, Rocky, Alma, Fedora, Amazon
 * Linux), or its yum variant for hosts without dnf. Inventory comes from the rpm
 * database, pending updates from `check-update` with advisories from `updateinfo`,
 * and the reboot state from `needs-restarting -r` or the kernel comparison. Every
 * command runs with `LC_ALL=C`, no stdin and a timeout.
 */
export function createDnfBackend(options: DnfBackendOptions = {}): DnfBackend {
  const context: DnfContext = {
    tool: options.tool ?? 'dnf',
    installRoot: options.installRoot,
    releasever: options.releasever,
    commandTimeoutMs: options.commandTimeoutMs ?? 120_000,
    runningKernel: options.runningKernel ?? os.release(),
    env: dnfEnvironment(),
  };

  return {
    name: context.tool,
    listInstalled: () => listRpmInstalled({ root: context.installRoot, env: context.env, timeoutMs: context.commandTimeoutMs }),
    listPendingUpdates: () => listDnfPendingUpdates(context),
    rebootState: () => readDnfRebootState(context),
    apply: (request, output, signal) => applyDnfRequest(context, request, output, signal),
    refreshLists: (output, signal) => refreshLists(context, output, signal),
  };
}

async function refreshLists(context: DnfContext, output?: OutputSink, signal?: AbortSignal): Promise<void> {
  const args = [...dnfGlobalArguments(context), 'makecache', ...(context.tool === 'dnf' ? ['--refresh'] : [])];
  const result = await runCommand({ command: context.tool, args, env: context.env, timeoutMs: context.commandTimeoutMs, signal, onLine: output });

  if (result.aborted) throw new Error(`${context.tool} makecache was cancelled`);
  const failure = classifyDnfFailure({ ...result });
  if (failure !== null) throw new Error(`${context.tool} makecache failed (${failure.cause}): ${failure.message}`);
}
