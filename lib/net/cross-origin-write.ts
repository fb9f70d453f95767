const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Returns why a state-changing request must be refused as cross-origin, or null
 * when it may proceed. SameSite=Strict cookies stop other sites, but not pages on
 * another port or subdomain of the same site, so every unsafe request that a
 * browser marks with an Origin must come from one of `allowedOrigins` (exact
 * match, as browsers serialise the origin). A request without an Origin is
 * judged by Sec-Fetch-Site. Clients that send neither header, such as agents
 * and scripts, are not browsers and carry no ambient cookies, so they pass.
 */
export function crossOriginWriteReason(method: string, headers: Headers, allowedOrigins: readonly string[]): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) {
    return null;
  }

  const origin = headers.get('origin');
  if (origin !== null) {
    // An allowed origin on another host or port is same-site or cross-site by design, so Sec-Fetch-Site is not checked.
    return allowedOrigins.includes(origin) ? null : `origin ${origin} is not an allowed origin`;
  }

  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    return `Sec-Fetch-Site is ${site}`;
  }
  return null;
}
