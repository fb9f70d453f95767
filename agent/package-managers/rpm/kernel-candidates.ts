import type { KernelCandidate } from '../kernel-reboot';
import type { InstalledPackage } from '../types';

/** Splits an EVR into the version-release part that `uname -r` shows (the epoch never appears there). */
function withoutEpoch(evr: string): string {
  const colon = evr.indexOf(':');
  return colon === -1 ? evr : evr.slice(colon + 1);
}

/**
 * Selects the installed kernels of the running kernel's flavour on an rpm host and
 * computes the `uname -r` each one boots as.
 *
 * - Red Hat family: `uname -r` is `<version>-<release>.<arch>`, with `+<variant>` for
 *   the debug, rt or 64k kernels, whose packages are `kernel-<variant>-core` or
 *   `kernel-<variant>`. The plain kernel is `kernel-core` (EL8 and later) or `kernel`.
 * - SUSE: `uname -r` is `<version>-<release without its last part>-<flavour>` from the
 *   package `kernel-<flavour>` (`6.4.0-150600.23.7-default` from `6.4.0-150600.23.7.1`).
 */
export function rpmKernelCandidates(running: string, installed: InstalledPackage[]): KernelCandidate[] {
  const suse = /^(.+)-([a-z][a-z0-9_]*)$/.exec(running);
  // A Red Hat release ends in `<release>.<arch>`, which starts with a digit after the last hyphen.
  if (suse !== null) {
    const flavour = suse[2] ?? '';
    return installed
      .filter((item) => item.name === `kernel-${flavour}`)
      .map((item) => {
        const versionRelease = withoutEpoch(item.version);
        const release = `${versionRelease.replace(/\.[^.-]+$/, '')}-${flavour}`;
        return { label: `${item.name}-${item.version}.${item.arch}`, version: item.version, release };
      });
  }

  const variant = /\+(\w+)$/.exec(running)?.[1];
  const names = variant === undefined ? ['kernel-core', 'kernel'] : [`kernel-${variant}-core`, `kernel-${variant}`];
  const suffix = variant === undefined ? '' : `+${variant}`;
  const kernels = installed.filter((item) => names.includes(item.name));
  // EL8 and later install both `kernel` (a meta package) and `kernel-core`; the core package is the kernel.
  const core = kernels.filter((item) => item.name === names[0]);
  const chosen = core.length > 0 ? core : kernels;

  return chosen.map((item) => ({
    label: `${item.name}-${item.version}.${item.arch}`,
    version: item.version,
    release: `${withoutEpoch(item.version)}.${item.arch}${suffix}`,
  }));
}
