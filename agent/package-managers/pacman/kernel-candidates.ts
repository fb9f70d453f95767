import type { KernelCandidate } from '../kernel-reboot';
import type { InstalledPackage } from '../types';

/**
 * Selects the installed Arch kernels of the running flavour and computes the `uname -r`
 * each boots as. `linux` 6.12.10.arch1-1 boots as `6.12.10-arch1-1`; a flavour package
 * `linux-<flavour>` adds `-<flavour>` (`linux-lts` 6.6.72-1 boots as `6.6.72-1-lts`).
 */
export function pacmanKernelCandidates(running: string, installed: InstalledPackage[]): KernelCandidate[] {
  const flavour = /-([a-z][a-z0-9]*)$/.exec(running)?.[1];
  const packageName = flavour === undefined ? 'linux' : `linux-${flavour}`;

  return installed
    .filter((item) => item.name === packageName)
    .map((item) => {
      const release = item.version.replace(/^\d+:/, '').replace(/\.([a-z]+\d+)-/, '-$1-');
      return { label: `${item.name}-${item.version}`, version: item.version, release: flavour === undefined ? release : `${release}-${flavour}` };
    });
}
