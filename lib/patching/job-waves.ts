/**
 * Size of the canary wave for a job of `total` hosts: a count is capped at `total`,
 * a percentage is rounded up so any percentage above zero picks at least one host.
 * Zero, or no canary option, means one wave of every host.
 */
export function canaryCount(total: number, options: { canarySize?: number | null; canaryPercent?: number | null }): number {
  if (options.canarySize !== undefined && options.canarySize !== null) {
    return Math.min(options.canarySize, total);
  }
  if (options.canaryPercent !== undefined && options.canaryPercent !== null) {
    return Math.min(Math.ceil((total * options.canaryPercent) / 100), total);
  }
  return 0;
}

/**
 * Number of failed hosts at which a job of `total` hosts stops starting hosts, or null
 * when it has no limit. A percentage is taken of every host in the job and rounded up,
 * so 10% of 15 hosts stops at the second failure. The limit is reached, and the job
 * stops, when the failures equal it.
 */
export function failureLimit(total: number, options: { failureLimitCount: number | null; failureLimitPercent: number | null }): number | null {
  if (options.failureLimitCount !== null) {
    return options.failureLimitCount;
  }
  if (options.failureLimitPercent !== null) {
    return Math.max(1, Math.ceil((total * options.failureLimitPercent) / 100));
  }
  return null;
}
