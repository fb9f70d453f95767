import crypto from 'node:crypto';

/**
 * The policy every web response carries: no framing, no plugins, and forms and
 * `<base>` only towards the console's own origin.
 */
export const BASE_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/** Returns a fresh nonce for one page response: 128 random bits in base64. */
export function createScriptNonce(): string {
  return crypto.randomBytes(16).toString('base64');
}

/**
 * Returns the policy of a console page. Scripts run only when they carry the
 * response's nonce or are loaded by one that does ('strict-dynamic'), so markup
 * injected into a page cannot run code. Next.js reads the nonce from this policy
 * on the request and puts it on every script tag it renders. Styles allow inline
 * attributes because server-rendered React writes `style="…"` attributes (chart
 * legend colours). Data URLs are allowed for images only: the TOTP enrollment QR
 * code is one. Connections go to the console's own origin, which covers the job
 * output WebSocket.
 */
export function pageContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'none'",
    "manifest-src 'self'",
    BASE_CONTENT_SECURITY_POLICY,
  ].join('; ');
}
