import { rebootStateFromKernelCandidates } from '../kernel-reboot';
import { compareRpmVersions } from '../rpm-version';
import { rpmKernelCandidates } from '../rpm/kernel-candidates';
import { listRpmInstalled } from '../rpm/list-installed';
import { runCommand } from '../../exec';
import type { RebootState } from '../types';
import { dnfGlobalArguments, type DnfContext } from './context';

/**
 * Reads `needs-restarting -r` output: status 1 with `Reboot is required` means a
 * reboot is needed, status 0 with `Reboot should not be necessary` means none. Any
 * other result (the plugin is missing, an error) returns null, so the caller falls back
 * to the kernel comparison. Packages are the ` * name` lines dnf lists.
 */
export function rebootStateFromNeedsRestarting(exitCode: number | null, stdout: string): RebootState | null {
  const packages = [...stdout.matchAll(/^\s+\* (\S+)/gm)].map((match) => match[1] ?? '').filter((name) => name !== '');

  if (exitCode === 1 && /Reboot is required/.test(stdout)) {
    return { required: 'yes', reason: 'needs-restarting -r: core libraries or services were updated since boot', packages: [...new Set(packages)] };
  }
  if (exitCode === 0 && /Reboot should not be necessary/.test(stdout)) {
    return { required: 'no', reason: 'needs-restarting -r: no core libraries or services were updated since boot', packages: [] };
  }
  return null;
}

/**
 * Reads the reboot state from `dnf needs-restarting -r` (dnf-plugins-core) or yum-utils'
 * `needs-restarting -r`, else compares the running kernel with the newest installed
 * kernel package of its flavour in rpm version order.
 */
export async function readDnfRebootState(context: DnfContext, signal?: AbortSignal): Promise<RebootState> {
  // needs-restarting compares the running system's boot time, so its result does not apply to an install root.
  if (context.installRoot === undefined) {
    const command = context.tool === 'dnf' ? { command: 'dnf', args: [...dnfGlobalArguments(context), 'needs-restarting', '-r'] } : { command: 'needs-restarting', args: ['-r'] };
    try {
      const result = await runCommand({ ...command, env: context.env, timeoutMs: context.commandTimeoutMs, signal });
      const state = rebootStateFromNeedsRestarting(result.exitCode, result.stdout);
      if (state !== null) return state;
    } catch {
      // yum hosts without yum-utils have no needs-restarting; the kernel comparison decides.
    }
  }

  const installed = await listRpmInstalled({ root: context.installRoot, env: context.env, timeoutMs: context.commandTimeoutMs, signal });
  return rebootStateFromKernelCandidates({
    running: context.runningKernel,
    candidates: rpmKernelCandidates(context.runningKernel, installed),
    compare: compareRpmVersions,
    orderName: 'rpm version order',
  });
}
