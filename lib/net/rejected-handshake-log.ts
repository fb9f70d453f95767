import type { Logger } from '@/lib/log';

/** Longest time one client address stays quiet in the log after a logged rejection. */
const QUIET_MS = 60_000;
/** Addresses remembered at once; the oldest are forgotten first, so a scan cannot grow the map without bound. */
const MAX_ADDRESSES = 10_000;

/**
 * Logs rejected agent TLS handshakes (no client certificate, another CA, a revoked
 * certificate, an old protocol) at warn level, at most once a minute per client
 * address, with the number of rejections left out of the log since the last line.
 */
export function createRejectedHandshakeLog(log: Logger, now: () => number = Date.now) {
  const seen = new Map<string, { loggedAt: number; suppressed: number }>();

  return function record(address: string | undefined, reason: string): void {
    const key = address ?? 'unknown';
    const time = now();
    const entry = seen.get(key);
    if (entry && time - entry.loggedAt < QUIET_MS) {
      entry.suppressed += 1;
      return;
    }
    log.warn({ address: key, reason, suppressedSinceLast: entry?.suppressed ?? 0 }, 'agent TLS handshake rejected');
    seen.delete(key);
    seen.set(key, { loggedAt: time, suppressed: 0 });
    if (seen.size > MAX_ADDRESSES) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };
}
