// POST /api/v1/auth/enroll/totp/confirm – confirms the first TOTP factor, returns ten recovery codes once and sets the session cookies.
import { publicApiRoute, readJsonRequest } from '@/lib/http/api';
import { clientOf, jsonWithCookies, requestCookie, signedInBody } from '@/lib/http/auth-responses';
import { confirmFirstTotpEnrollment } from '@/lib/auth/sign-in/enroll-first-factor';
import { signInServices } from '@/lib/auth/sign-in/services';
import { CHALLENGE_COOKIE, clearedCookieHeader, REFRESH_COOKIE_PATH, sessionCookieHeaders } from '@/lib/auth/session-cookies';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request, 16 * 1024);
  const login = await confirmFirstTotpEnrollment(ctx, { challengeToken: requestCookie(request, CHALLENGE_COOKIE), body, ...clientOf(request) }, signInServices());
  return jsonWithCookies(
    { ...signedInBody(request, login), recoveryCodes: login.recoveryCodes },
    [...sessionCookieHeaders(login), clearedCookieHeader(CHALLENGE_COOKIE, REFRESH_COOKIE_PATH)],
  );
});
