/** Cookie that carries the access token (JWT) to every console path. */
export const ACCESS_COOKIE = 'pm_access';

/** Cookie that carries the refresh token, sent only to the sign-in endpoints. */
export const REFRESH_COOKIE = 'pm_refresh';

/** Cookie that carries the sign-in challenge between the password and the second factor. */
export const CHALLENGE_COOKIE = 'pm_mfa';

/** Cookie that carries the session's binding secret (see session-binding.ts) to every path. */
export const BINDING_COOKIE = 'pm_bind';

/** Path of the refresh cookie: the browser sends it only to /api/v1/auth/*. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

/** Lifetime of the sign-in challenge cookie and row, in seconds (5 minutes). */
export const CHALLENGE_LIFETIME_SECONDS = 5 * 60;

/** Request header in which the request gate (proxy.ts) passes the requested path and query to pages. */
export const REQUEST_PATH_HEADER = 'x-pm-request-path';

/** The `aud` of console access tokens. */
export const ACCESS_TOKEN_AUDIENCE = 'patch-manager';

/** Builds one Set-Cookie value: httpOnly, Secure and SameSite=Strict, always. */
export function cookieHeader(name: string, value: string, options: { path: string; maxAgeSeconds: number }): string {
  const maxAge = Math.max(0, Math.floor(options.maxAgeSeconds));
  return `${name}=${value}; Path=${options.path}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}

/** Builds the Set-Cookie value that removes a cookie. */
export function clearedCookieHeader(name: string, path: string): string {
  return `${name}=; Path=${path}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict`;
}

/** The tokens a completed sign-in or refresh hands to the browser. */
export interface SessionCookieValues {
  accessToken: string;
  accessExpiresAt: Date;
  refreshToken: string;
  sessionExpiresAt: Date;
  /** The session's binding secret; present only when the session starts, because a refresh keeps the cookie. */
  bindingSecret?: string;
}

/**
 * Builds the Set-Cookie values of a new or refreshed session. The refresh cookie and the
 * binding cookie live until the session's absolute end.
 */
export function sessionCookieHeaders(values: SessionCookieValues, now: Date = new Date()): string[] {
  const sessionSeconds = (values.sessionExpiresAt.getTime() - now.getTime()) / 1000;
  const headers = [
    cookieHeader(ACCESS_COOKIE, values.accessToken, { path: '/', maxAgeSeconds: (values.accessExpiresAt.getTime() - now.getTime()) / 1000 }),
    cookieHeader(REFRESH_COOKIE, values.refreshToken, { path: REFRESH_COOKIE_PATH, maxAgeSeconds: sessionSeconds }),
  ];
  if (values.bindingSecret !== undefined) {
    headers.push(cookieHeader(BINDING_COOKIE, values.bindingSecret, { path: '/', maxAgeSeconds: sessionSeconds }));
  }
  return headers;
}

/**
 * Set-Cookie values that end the session in the browser. The challenge cookie of a
 * sign-in in progress stays, because a prefetch in another tab must not break it.
 */
export function clearedSessionCookieHeaders(): string[] {
  return [
    clearedCookieHeader(ACCESS_COOKIE, '/'),
    clearedCookieHeader(REFRESH_COOKIE, REFRESH_COOKIE_PATH),
    clearedCookieHeader(BINDING_COOKIE, '/'),
  ];
}

/** Reads one cookie from a Cookie request header; returns null when absent or empty. */
export function readCookie(cookieHeaderValue: string | null | undefined, name: string): string | null {
  if (!cookieHeaderValue) {
    return null;
  }
  for (const part of cookieHeaderValue.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/**
 * Returns the access token of a request: an `Authorization: Bearer` header first,
 * else the access cookie. Returns null when neither is present.
 */
export function accessTokenFrom(headers: { get(name: string): string | null }): string | null {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  return readCookie(headers.get('cookie'), ACCESS_COOKIE);
}
