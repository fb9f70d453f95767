import os from 'node:os';
import { runCommand } from '@/agent/exec';
import type { OutputSink, PackageManagerBackend } from '../types';
import { applyAptRequest } from './apply';
import { aptGetCommonArguments } from './apt-get-arguments';
import { classifyAptFailure } from './classify-failure';
import { aptEnvironment, dpkgAdmindirFromAptConfig, type AptContext } from './context';
import { listAptInstalled } from './list-installed';
import { listAptPendingUpdates } from './list-pending-updates';
import { readAptRebootState, readNewestKernel } from './reboot-state';

export interface AptBackendOptions {
  /** apt configuration file passed as `APT_CONFIG` to apt, apt-get, apt-mark and apt-config. */
  aptConfig?: string;
  /**
   * dpkg database directory for dpkg-query. When it is unset and `aptConfig` is set, the
   * directory of the configuration's `Dir::State::status` is used; with neither, dpkg's
   * default (/var/lib/dpkg).
   */
  dpkgAdmindir?: string;
  /** Reboot flag file; `<path>.pkgs` lists the packages that set it. Defaults to /var/run/reboot-required. */
  rebootRequiredPath?: string;
  /** Seconds apt-get waits for the dpkg lock before it fails. Defaults to 60. */
  lockTimeoutSeconds?: number;
  /** Milliseconds allowed for each read-only query. Defaults to 120000. */
  commandTimeoutMs?: number;
  /** Kernel release the installed kernels are compared with; defaults to the running one (`uname -r`). */
  runningKernel?: string;
}

export type AptBackend = PackageManagerBackend & {
  /** Runs `apt-get update`; throws when it fails, with the classified cause in the message. */
  refreshLists(output?: OutputSink, signal?: AbortSignal): Promise<void>;
  /** Release of the newest installed kernel image of the running flavour, or null when none has it. */
  runningKernelNewest(): Promise<string | null>;
};

/**
 * Creates the apt/dpkg backend for Debian and Ubuntu hosts.
 *
 * Every command runs with `LC_ALL=C`, no stdin, `DEBIAN_FRONTEND=noninteractive` and
 * the other no-prompt variables from `aptEnvironment`. With `aptConfig` set, every
 * apt tool and dpkg-query work on the root that configuration describes, which is how
 * the tests run real upgrades without touching the machine's own packages.
 */
export function createAptBackend(options: AptBackendOptions = {}): AptBackend {
  let admindir: Promise<string | null> | undefined;

  const context: AptContext = {
    aptConfig: options.aptConfig,
    rebootRequiredPath: options.rebootRequiredPath ?? '/var/run/reboot-required',
    lockTimeoutSeconds: options.lockTimeoutSeconds ?? 60,
    commandTimeoutMs: options.commandTimeoutMs ?? 120_000,
    runningKernel: options.runningKernel ?? os.release(),
    env: aptEnvironment(options.aptConfig),
    dpkgAdmindir() {
      admindir ??= resolveAdmindir(context, options).catch((error: unknown) => {
        admindir = undefined;
        throw error;
      });
      return admindir;
    },
  };

  return {
    name: 'apt',
    listInstalled: () => listAptInstalled(context),
    listPendingUpdates: () => listAptPendingUpdates(context),
    rebootState: () => readAptRebootState(context),
    apply: (request, output, signal) => applyAptRequest(context, request, output, signal),
    refreshLists: (output, signal) => refreshLists(context, output, signal),
    runningKernelNewest: () => readNewestKernel(context),
  };
}

async function resolveAdmindir(context: AptContext, options: AptBackendOptions): Promise<string | null> {
  if (options.dpkgAdmindir !== undefined) {
    return options.dpkgAdmindir;
  }

  if (options.aptConfig === undefined) {
    return null;
  }

  return dpkgAdmindirFromAptConfig(context);
}

async function refreshLists(context: AptContext, output?: OutputSink, signal?: AbortSignal): Promise<void> {
  const args = [...aptGetCommonArguments({ lockTimeoutSeconds: context.lockTimeoutSeconds, dryRun: false }), 'update'];
  const result = await runCommand({
    command: 'apt-get',
    args,
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
    onLine: output,
  });

  if (result.aborted) {
    throw new Error('apt-get update was cancelled');
  }

  const failure = classifyAptFailure(result);
  if (failure !== null) {
    throw new Error(`apt-get update failed (${failure.cause}): ${failure.message}`);
  }
}
