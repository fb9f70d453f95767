import { CLIENT_ADDRESS_HEADER } from '@/lib/net/client-address';
import { readCookie } from '@/lib/auth/session-cookies';

/** Returns a JSON response that also sets or clears cookies; never cached. */
export function jsonWithCookies(body: unknown, cookies: string[], status = 200): Response {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const cookie of cookies) {
    headers.append('set-cookie', cookie);
  }
  return Response.json(body, { status, headers });
}

/** The client address (set by server.ts from the socket) and user agent of a request. */
export function clientOf(request: Request): { clientAddress: string; userAgent: string } {
  return {
    clientAddress: request.headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown',
    userAgent: request.headers.get('user-agent') ?? '',
  };
}

/** Reads one cookie of a request. */
export function requestCookie(request: Request, name: string): string | null {
  return readCookie(request.headers.get('cookie'), name);
}
