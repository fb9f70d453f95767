// POST /api/v1/auth/mfa/webauthn/verify – verifies a security key assertion for the open sign-in and sets the session cookies.
import { publicApiRoute, readJsonRequest } from '@/lib/http/api';
import { clientOf, jsonWithCookies, requestCookie, signedInBody } from '@/lib/http/auth-responses';
import { verifySecondFactor } from '@/lib/auth/sign-in/verify-second-factor';
import { signInServices } from '@/lib/auth/sign-in/services';
import { CHALLENGE_COOKIE, clearedCookieHeader, REFRESH_COOKIE_PATH, sessionCookieHeaders } from '@/lib/auth/session-cookies';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request, 64 * 1024);
  const login = await verifySecondFactor(
    ctx,
    { challengeToken: requestCookie(request, CHALLENGE_COOKIE), method: 'webauthn', body, ...clientOf(request) },
    signInServices(),
  );
  return jsonWithCookies(signedInBody(request, login), [...sessionCookieHeaders(login), clearedCookieHeader(CHALLENGE_COOKIE, REFRESH_COOKIE_PATH)]);
});
