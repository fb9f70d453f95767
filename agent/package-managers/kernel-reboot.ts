import type { RebootState } from './types';

/** One installed kernel package with the `uname -r` release it boots as. */
export interface KernelCandidate {
  /** Package as the reason and `packages` name it, for example `kernel-core-5.14.0-503.15.1.el9_5.x86_64`. */
  label: string;
  /** Package version in the ecosystem's form, compared with `compare`. */
  version: string;
  /** `uname -r` of a host booted into this kernel. */
  release: string;
}

/**
 * Decides whether the running kernel is the newest installed kernel of its flavour.
 * `candidates` are the installed kernel packages of the running flavour only, and
 * `compare` is the ecosystem's version order (never string order, so `503` beats `70`).
 * Returns `unknown` when no candidate exists, for example with a self-built kernel.
 */
export function rebootStateFromKernelCandidates(options: {
  running: string;
  candidates: KernelCandidate[];
  compare: (a: string, b: string) => number;
  orderName: string;
}): RebootState {
  const { running, candidates, compare, orderName } = options;
  if (candidates.length === 0) {
    return { required: 'unknown', reason: `no installed kernel package matches the running kernel ${running}`, packages: [] };
  }

  const newestVersion = candidates.map((item) => item.version).reduce((a, b) => (compare(a, b) >= 0 ? a : b));
  const newest = candidates.filter((item) => compare(item.version, newestVersion) === 0);

  if (newest.some((item) => item.release === running)) {
    return {
      required: 'no',
      reason: `running kernel ${running} is the newest installed kernel (${candidates.length} installed, by ${orderName})`,
      packages: [],
    };
  }

  const runningInstalled = candidates.some((item) => item.release === running);
  const newestRelease = newest[0]?.release ?? newestVersion;
  const reason = runningInstalled
    ? `running kernel ${running} is older than the newest installed kernel ${newestRelease} (by ${orderName})`
    : `running kernel ${running} has no installed package; the newest installed kernel is ${newestRelease}`;
  return { required: 'yes', reason, packages: [...new Set(newest.map((item) => item.label))] };
}
