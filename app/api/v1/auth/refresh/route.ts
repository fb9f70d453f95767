// POST /api/v1/auth/refresh – rotates the refresh cookie and sets a new access token; a reused token ends the session.
import { publicApiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { clientOf, jsonWithCookies, requestBinding, requestCookie } from '@/lib/http/auth-responses';
import { refreshConsoleSession } from '@/lib/auth/sign-in/refresh-console-session';
import { signInServices } from '@/lib/auth/sign-in/services';
import { clearedSessionCookieHeaders, REFRESH_COOKIE, sessionCookieHeaders } from '@/lib/auth/session-cookies';
import { UnauthorizedError } from '@/lib/errors';
import { errorResponse } from '@/lib/http/api';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  try {
    const session = await refreshConsoleSession(
      ctx,
      { refreshToken: requestCookie(request, REFRESH_COOKIE), bindingSecret: requestBinding(request), ...clientOf(request) },
      signInServices(),
    );
    return jsonWithCookies({ accessExpiresAt: session.accessExpiresAt.toISOString() }, sessionCookieHeaders(session));
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      const response = errorResponse(error);
      for (const cookie of clearedSessionCookieHeaders()) response.headers.append('set-cookie', cookie);
      return response;
    }
    throw error;
  }
});
