/** Reconnect delays: exponential growth with full jitter. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, in milliseconds. */
  baseMs: number;
  /** Largest delay ceiling, in milliseconds. */
  capMs: number;
}

/**
 * Returns the delay before retry number `attempt` (0 for the first): a uniformly
 * random value between 0 and min(cap, base × 2^attempt). The full jitter spreads
 * the reconnects of many agents after a server restart instead of letting them
 * arrive in waves.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
