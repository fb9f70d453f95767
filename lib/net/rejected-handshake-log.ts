import type { Logger } from '@/lib/log';

/** Minimum time between two log lines about one client address. */
const QUIET_MS = 60_000;
/** Addresses remembered at once; the oldest are forgotten first, so a scan cannot grow the map without bound. */
const MAX_ADDRESSES = 10_000;

/**
 * Logs rejected agent TLS handshakes (no client certificate, another CA, a revoked
 * certificate, an old protocol) at warn level. Each client address gets at most one
 * line a minute, and that line counts the rejections left out since the previous one.
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
