// POST /api/v1/auth/logout – ends the session of the access token and of the refresh cookie, and clears the cookies.
import { publicApiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { jsonWithCookies, requestCookie } from '@/lib/http/auth-responses';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import { signOut } from '@/lib/auth/sign-in/sign-out';
import { clearedSessionCookieHeaders, REFRESH_COOKIE } from '@/lib/auth/session-cookies';
import { UnauthorizedError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const address = ctx.actor.kind === 'console' ? ctx.actor.address : 'unknown';
  // An expired access token must not block the logout: the refresh cookie still names the session.
  const actor = await authenticateRequest(request.headers, address).catch((error: unknown) => {
    if (error instanceof UnauthorizedError) return null;
    throw error;
  });
  const revoked = await signOut(actor ? { ...ctx, actor } : ctx, {
    sessionId: actor?.sessionId ?? null,
    refreshToken: requestCookie(request, REFRESH_COOKIE),
  });
  return jsonWithCookies({ revokedSessions: revoked }, clearedSessionCookieHeaders());
});
