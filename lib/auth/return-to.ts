/**
 * Returns `value` when it is a safe place to send the browser after sign-in: a path
 * on this site that starts with a single '/'. Anything else, including '//host',
 * '/\host', absolute URLs, control characters and backslashes, gives '/dashboard' (the start page), so a
 * crafted link cannot turn the sign-in page into an open redirect.
 */
export function safeReturnTo(value: string | null | undefined): string {
  const fallback = '/dashboard';
  if (!value || value.length > 2048) {
    return fallback;
  }
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    return fallback;
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    return fallback;
  }

  // Browsers resolve the path against the site; anything that leaves it is refused.
  const resolved = new URL(value, 'https://console.invalid');
  if (resolved.origin !== 'https://console.invalid') {
    return fallback;
  }
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // Resolving dot segments can itself produce '//host' (from '/..//host'), which a
  // browser reads as another site, so the result is checked again.
  if (path.startsWith('//') || path.includes('\\')) {
    return fallback;
  }
  return path;
}
