import os from 'node:os';
import { runCommand } from '../../exec';
import type { OutputSink, PackageManagerBackend } from '../types';
import { applyPacmanRequest } from './apply';
import { classifyPacmanFailure } from './classify-failure';
import { pacmanEnvironment, pacmanGlobalArguments, type PacmanContext } from './context';
import { listPacmanInstalled, listPacmanPendingUpdates, readPacmanRebootState } from './queries';

export interface PacmanBackendOptions {
  /** Isolated root; pacman's database, configuration, cache, log and keyring are taken from inside it. */
  root?: string;
  /** Milliseconds allowed for each read-only query. Defaults to 120000. */
  commandTimeoutMs?: number;
  /** Kernel release the installed kernel is compared with; defaults to the running one. */
  runningKernel?: string;
}

export type PacmanBackend = PackageManagerBackend & {
  /** Runs `pacman -Sy`; throws when it fails, with the classified cause in the message. */
  refreshLists(output?: OutputSink, signal?: AbortSignal): Promise<void>;
};

/**
 * Creates the pacman backend for Arch hosts. pacman has no security metadata, so no
 * pending update is ever marked as a security fix, and a security-only run fails with
 * that reason. The reboot state comes from the kernel comparison alone.
 */
export function createPacmanBackend(options: PacmanBackendOptions = {}): PacmanBackend {
  const context: PacmanContext = {
    root: options.root,
    commandTimeoutMs: options.commandTimeoutMs ?? 120_000,
    runningKernel: options.runningKernel ?? os.release(),
    env: pacmanEnvironment(),
  };

  return {
    name: 'pacman',
    listInstalled: () => listPacmanInstalled(context),
    listPendingUpdates: () => listPacmanPendingUpdates(context),
    rebootState: () => readPacmanRebootState(context),
    apply: (request, output, signal) => applyPacmanRequest(context, request, output, signal),
    refreshLists: (output, signal) => refreshLists(context, output, signal),
  };
}

async function refreshLists(context: PacmanContext, output?: OutputSink, signal?: AbortSignal): Promise<void> {
  const result = await runCommand({
    command: 'pacman',
    args: [...pacmanGlobalArguments(context), '-Sy'],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
    onLine: output,
  });
  if (result.aborted) throw new Error('pacman -Sy was cancelled');

  const failure = classifyPacmanFailure(result);
  if (failure !== null) throw new Error(`pacman -Sy failed (${failure.cause}): ${failure.message}`);
}
