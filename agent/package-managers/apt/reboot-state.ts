import { readFile } from 'node:fs/promises';
import type { RebootState } from '../types';
import { runAptQuery, type AptContext } from './context';
import { admindirArgs } from './list-installed';
import { combineRebootStates, rebootStateFromFlagFile, rebootStateFromKernels } from './reboot';

/** dpkg current-state letters of a kernel package whose files are all in place. */
const INSTALLED_STATES = new Set(['i', 'W', 't']);

/**
 * Reads the reboot state: the reboot-required flag file and its `.pkgs` list first,
 * else the running kernel against the newest installed `linux-image-*` package of the
 * same flavour, compared in dpkg version order.
 */
export async function readAptRebootState(context: AptContext, signal?: AbortSignal): Promise<RebootState> {
  const flag = rebootStateFromFlagFile(
    await readOptionalFile(context.rebootRequiredPath),
    await readOptionalFile(`${context.rebootRequiredPath}.pkgs`),
  );

  const kernels = rebootStateFromKernels(context.runningKernel, await listKernelPackages(context, signal));
  return combineRebootStates(flag, kernels);
}

/**
 * Returns the release (`uname -r` form) of the newest installed kernel image with the
 * running kernel's flavour, or null when no installed image has that flavour.
 */
export async function readNewestKernel(context: AptContext, signal?: AbortSignal): Promise<string | null> {
  const kernels = rebootStateFromKernels(context.runningKernel, await listKernelPackages(context, signal));

  if (kernels.required === 'no') {
    return context.runningKernel;
  }

  const newestPackage = kernels.required === 'yes' ? kernels.packages[0] : undefined;
  if (newestPackage === undefined) {
    return null;
  }

  return newestPackage.replace(/^linux-image-(?:unsigned-)?/, '').replace(/-unsigned$/, '');
}

/** Lists installed `linux-image-*` packages as `name version` lines. */
async function listKernelPackages(context: AptContext, signal?: AbortSignal): Promise<string> {
  // dpkg-query exits with 1 when no package matches the pattern.
  const stdout = await runAptQuery(
    context,
    'dpkg-query',
    [...(await admindirArgs(context)), '-W', '-f', '${db:Status-Abbrev}\t${binary:Package}\t${Version}\n', 'linux-image-*'],
    { signal, okExitCodes: [0, 1] },
  );

  const lines: string[] = [];
  for (const line of stdout.split('\n')) {
    const [status = '', name = '', version = ''] = line.split('\t');
    if (INSTALLED_STATES.has(status.charAt(1)) && name !== '' && version !== '') {
      lines.push(`${name} ${version}`);
    }
  }

  return lines.join('\n');
}

async function readOptionalFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}
