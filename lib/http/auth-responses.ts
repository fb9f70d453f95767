import { CLIENT_ADDRESS_HEADER } from '@/lib/net/client-address';
import { bindingSecretFrom, RETURN_BINDING_HEADER } from '@/lib/auth/session-binding';
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

/**
 * Builds the JSON body of a completed sign-in. The binding secret is included only when
 * the request sends `X-PM-Return-Binding: true`, as API clients do, because they must
 * present it as `X-PM-Binding` with every Bearer request. Browsers get it only as the
 * httpOnly `pm_bind` cookie.
 */
export function signedInBody(request: Request, login: { username: string; bindingSecret: string }): { username: string; binding?: string } {
  const wantsBinding = request.headers.get(RETURN_BINDING_HEADER)?.trim().toLowerCase() === 'true';
  return wantsBinding ? { username: login.username, binding: login.bindingSecret } : { username: login.username };
}

/** Returns the binding secret a request presents in the `X-PM-Binding` header or the `pm_bind` cookie, or null. */
export function requestBinding(request: Request): string | null {
  return bindingSecretFrom(request.headers);
}

/** Reads one cookie of a request. */
export function requestCookie(request: Request, name: string): string | null {
  return readCookie(request.headers.get('cookie'), name);
}
