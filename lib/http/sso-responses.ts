import { getRuntime } from '@/lib/runtime';
import { SsoRefusedError } from '@/lib/auth/sso/sso-refusal';
import { errorResponse } from './api';

/** Returns a 303 redirect to a path on the console, never cached, with the given cookies. */
export function redirectWithCookies(location: string, cookies: string[]): Response {
  const headers = new Headers({ 'cache-control': 'no-store', location });
  for (const cookie of cookies) {
    headers.append('set-cookie', cookie);
  }
  return new Response(null, { status: 303, headers });
}

/**
 * Maps an error of the SSO routes to a response. A refusal is logged with its
 * reason and detail, and the browser goes to the refusal page, which shows the
 * message of the reason. Any other error gets the usual JSON error response.
 */
export function ssoErrorResponse(error: unknown, cookies: string[]): Response {
  if (!(error instanceof SsoRefusedError)) {
    return errorResponse(error);
  }
  const runtime = getRuntime();
  runtime.log.warn({ reason: error.reason, detail: error.detail }, 'SSO sign-in rejected');
  return redirectWithCookies(new URL(`/login/sso-refused?reason=${error.reason}`, runtime.config.publicUrl).toString(), cookies);
}
