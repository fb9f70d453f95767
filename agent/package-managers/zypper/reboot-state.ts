import { runCommand } from '../../exec';
import { rebootStateFromKernelCandidates } from '../kernel-reboot';
import { compareRpmVersions } from '../rpm-version';
import { rpmKernelCandidates } from '../rpm/kernel-candidates';
import { listRpmInstalled } from '../rpm/list-installed';
import type { RebootState } from '../types';
import { zypperGlobalArguments, type ZypperContext } from './context';
import { rebootStateFromNeedsRebooting } from './reboot';

/**
 * Reads the reboot state from `zypper needs-rebooting` (exit status 102 = reboot
 * needed) and the kernel comparison in rpm version order. A reboot is required when
 * either source reports one. Otherwise needs-rebooting's `no` counts, else the kernels.
 */
export async function readZypperRebootState(context: ZypperContext, signal?: AbortSignal): Promise<RebootState> {
  const result = await runCommand({
    command: 'zypper',
    args: [...zypperGlobalArguments(context), 'needs-rebooting'],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
  });
  const flag = rebootStateFromNeedsRebooting(result.timedOut ? null : result.exitCode);

  const installed = await listRpmInstalled({ root: context.root, env: context.env, timeoutMs: context.commandTimeoutMs, signal });
  const kernels = rebootStateFromKernelCandidates({
    running: context.runningKernel,
    candidates: rpmKernelCandidates(context.runningKernel, installed),
    compare: compareRpmVersions,
    orderName: 'rpm version order',
  });

  if (flag.required === 'yes') return flag;
  if (kernels.required === 'yes') return kernels;
  if (flag.required === 'no') return flag;
  return kernels.required === 'no' ? kernels : { required: 'unknown', reason: `${flag.reason}; ${kernels.reason}`, packages: [] };
}
