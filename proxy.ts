import { NextResponse, type NextRequest } from 'next/server';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import { REQUEST_PATH_HEADER } from '@/lib/auth/session-cookies';
import { UnauthorizedError } from '@/lib/errors';
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
 * the same key store and database as the routes.
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
    pathname === '/favicon.ico'
  );
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

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_PATH_HEADER, `${pathname}${search}`);

  const isApi = pathname.startsWith('/api/');
  if (isApi) {
    const reason = crossOriginWriteReason(request.method, request.headers, writeOrigins());
    if (reason !== null) {
      return jsonError(403, 'forbidden', `cross-origin request refused: ${reason}`);
    }
  }

  if (isPublic(pathname)) {
    return NextResponse.next({ request: { headers: requestHeaders } });
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
    return isApi ? jsonError(403, 'forbidden', 'this action requires the Admin role') : new NextResponse('Not Found', { status: 404 });
  }
  return NextResponse.next({ request: { headers: requestHeaders } });
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
