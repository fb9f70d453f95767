/**
 * Normalises an origin to `scheme://host[:port]` with the default port
 * dropped, or returns null when the value is not an http(s) origin.
 */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.username || url.password) return null;
    if (url.pathname !== '/' || url.search || url.hash) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * Derives the origins allowed to open browser WebSockets: the configured list,
 * or the console's public URL when the list is empty. An empty result means
 * every upgrade is rejected.
 */
export function deriveAllowedOrigins(configured: string[], publicUrl: string | null): string[] {
  let source: string[] = [];
  if (configured.length > 0) {
    source = configured;
  } else if (publicUrl) {
    source = [publicUrl];
  }
  return [...new Set(source.map(normalizeOrigin).filter((origin): origin is string => origin !== null))];
}

/** Exact match of the request's Origin header against the allowed list. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  const normalized = normalizeOrigin(origin);
  return normalized !== null && normalized === origin && allowed.includes(normalized);
}
