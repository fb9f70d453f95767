// GET /api/v1/auth/resume?returnTo=/path – the request gate sends a browser here when its access token is missing or expired:
// a valid refresh cookie is rotated and the browser goes back to returnTo, otherwise to the sign-in page.
import { refreshConsoleSession } from '@/lib/auth/sign-in/refresh-console-session';
import { signInServices } from '@/lib/auth/sign-in/services';
import { clearedSessionCookieHeaders, REFRESH_COOKIE, sessionCookieHeaders } from '@/lib/auth/session-cookies';
import { safeReturnTo } from '@/lib/auth/return-to';
import { anonymousContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { clientOf, requestBinding, requestCookie } from '@/lib/http/auth-responses';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const returnTo = safeReturnTo(new URL(request.url).searchParams.get('returnTo'));
  const base = getRuntime().config.publicUrl;
  const headers = new Headers({ 'cache-control': 'no-store' });
  const refreshToken = requestCookie(request, REFRESH_COOKIE);

  if (refreshToken) {
    try {
      const session = await refreshConsoleSession(
        await anonymousContext(),
        { refreshToken, bindingSecret: requestBinding(request), ...clientOf(request) },
        signInServices(),
      );
      for (const cookie of sessionCookieHeaders(session)) headers.append('set-cookie', cookie);
      headers.set('location', new URL(returnTo, base).toString());
      return new Response(null, { status: 303, headers });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      for (const cookie of clearedSessionCookieHeaders()) headers.append('set-cookie', cookie);
    }
  }

  headers.set('location', new URL(`/login?returnTo=${encodeURIComponent(returnTo)}`, base).toString());
  return new Response(null, { status: 303, headers });
}
