import { NextResponse, type NextRequest } from 'next/server';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import { REQUEST_PATH_HEADER } from '@/lib/auth/session-cookies';
import { UnauthorizedError } from '@/lib/errors';
import { createScriptNonce, pageContentSecurityPolicy } from '@/lib/http/content-security-policy';
import { CLIENT_ADDRESS_HEADER } from '@/lib/net/client-address';
import { crossOriginWriteReason } from '@/lib/net/cross-origin-write';
import { currentAllowedOrigins } from '@/lib/net/network-guard';
import { deriveAllowedOrigins, normalizeOrigin } from '@/lib/net/origins';
import { getRuntime } from '@/lib/runtime';

/*
 * The request gate: the first of two authorisation layers. It sends a browser
 * without a valid access token to the refresh step or the sign-in page, returns
 * 401 to API calls without one, and keeps Operators out of Admin-only sections.
 * Route handlers, pages and lib/ functions check again, so a path this gate misses
 * is still protected. It runs in the server process (Node.js runtime), so it uses
 * the same key store and database as the routes. Every public path counts against a
 * per-address ceiling here, before anything else, so a new public route cannot
 * miss it.
 */

/** Paths reachable without a session. */
function isPublic(pathname: string): boolean {
  return (
    pathname === '/login' ||
    pathname.startsWith('/login/') ||
    pathname === '/setup' ||
    pathname.startsWith('/api/v1/auth/') ||
    pathname === '/api/v1/enroll' ||
    pathname === '/pki/ca.pem' ||
    // The CRL distribution point and the OCSP responder serve any relying party.
    pathname === '/pki/crl.pem' ||
    pathname === '/pki/crl.der' ||
    pathname === '/pki/ocsp' ||
    pathname.startsWith('/pki/ocsp/') ||
    // The agent downloads check an enrollment token or a sign-in themselves, because hosts have no session.
    pathname.startsWith('/downloads/') ||
    pathname.startsWith('/_next/') ||
    pathname === '/favicon.ico' ||
    pathname === '/icon.svg'
  );
}

/** Returns whether the path is the CRL or the OCSP responder, which TLS clients fetch on their own and so get a higher ceiling. */
function isRevocationPath(pathname: string): boolean {
  return pathname === '/pki/crl.pem' || pathname === '/pki/crl.der' || pathname === '/pki/ocsp' || pathname.startsWith('/pki/ocsp/');
}

/** Sections only Admins may use. */
const ADMIN_PREFIXES = ['/admin', '/audit', '/enrollment', '/api/v1/reports/audit', '/api/v1/users', '/api/v1/groups', '/api/v1/enrollment-tokens', '/certificates', '/api/v1/certificates', '/settings', '/api/v1/settings'];

function isAdminOnly(pathname: string): boolean {
  return ADMIN_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`) || pathname.startsWith(`${prefix}.`));
}

/**
 * Returns the origins that may send API writes: the console's own origin,
 * whose pages are the only ones the server serves, and the allowed origins in
 * force in this process, which follow every settings change.
 */
function writeOrigins(): string[] {
  const { config } = getRuntime();
  const live = currentAllowedOrigins() ?? deriveAllowedOrigins(config.allowedOrigins, config.publicUrl);
  const own = normalizeOrigin(config.publicUrl);
  return own === null ? [...live] : [own, ...live];
}

function jsonError(status: number, code: string, message: string): NextResponse {
  return NextResponse.json({ error: { code, message } }, { status, headers: { 'cache-control': 'no-store' } });
}

/** Counts a public request against its ceiling; returns the 429 response when the client address is over it. */
async function rejectOverCeiling(pathname: string, address: string, isApi: boolean): Promise<NextResponse | null> {
  const kind = isRevocationPath(pathname) ? 'revocation' : 'public';
  const admission = await getRuntime().requestLimiters.publicRequests.admit(address, kind);
  if (admission.admitted) {
    return null;
  }

  const message = `too many requests from this address; try again in ${admission.retryAfterSeconds} seconds`;
  const response = isApi ? jsonError(429, 'rate_limited', message) : new NextResponse(`${message}\n`, { status: 429, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  response.headers.set('retry-after', String(admission.retryAfterSeconds));
  return response;
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_PATH_HEADER, `${pathname}${search}`);

  const isApi = pathname.startsWith('/api/');
  // Pages get a script policy with a nonce. Next.js reads the nonce from the request's copy.
  const pagePolicy = isApi ? null : pageContentSecurityPolicy(createScriptNonce());
  if (pagePolicy !== null) {
    requestHeaders.set('content-security-policy', pagePolicy);
  }
  const withPagePolicy = (response: NextResponse): NextResponse => {
    if (pagePolicy !== null) {
      response.headers.set('content-security-policy', pagePolicy);
    }
    return response;
  };
  const next = (): NextResponse => withPagePolicy(NextResponse.next({ request: { headers: requestHeaders } }));

  const publicPath = isPublic(pathname);
  if (publicPath) {
    const rejection = await rejectOverCeiling(pathname, request.headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown', isApi);
    if (rejection !== null) {
      return rejection;
    }
  }

  // Pages take writes too: a server action is a POST to the page's own path.
  const crossOrigin = crossOriginWriteReason(request.method, request.headers, writeOrigins());
  if (crossOrigin !== null) {
    const message = `cross-origin request refused: ${crossOrigin}`;
    return isApi ? jsonError(403, 'forbidden', message) : new NextResponse(`${message}\n`, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  if (publicPath) {
    return next();
  }

  let role: string;
  try {
    const actor = await authenticateRequest(request.headers, request.headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown');
    role = actor.role;
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) {
      throw error;
    }
    if (isApi) {
      return jsonError(401, 'unauthorized', error.message);
    }
    // The refresh cookie reaches only /api/v1/auth, so the browser goes there to
    // exchange it for a new access token, and comes back or lands on the sign-in page.
    const resume = request.nextUrl.clone();
    resume.pathname = '/api/v1/auth/resume';
    resume.search = `?returnTo=${encodeURIComponent(`${pathname}${search}`)}`;
    return NextResponse.redirect(resume, 303);
  }

  if (isAdminOnly(pathname) && role !== 'admin') {
    if (isApi) {
      return jsonError(403, 'forbidden', 'this action requires the Admin role');
    }
    // An Operator gets the console's own not-found page, as for a path that does not exist.
    const missing = request.nextUrl.clone();
    missing.pathname = '/admin-only-page-not-found';
    missing.search = '';
    return withPagePolicy(NextResponse.rewrite(missing, { request: { headers: requestHeaders } }));
  }
  return next();
}

/*
 * Static chunks and the image optimiser skip the gate, because each page load
 * fetches a dozen or more chunks, which would use up the public ceiling. Each
 * exclusion ends at a slash or at the end of the path. A bare prefix such as
 * `_next/static` would also skip `/_next/staticfoo`, whose not-found page would
 * then carry scripts without a nonce under the base policy alone. `/favicon.ico`
 * goes through the gate, so its not-found page gets the page policy too.
 */
export const config = {
  matcher: ['/((?!_next/static/|_next/image$).*)'],
};
