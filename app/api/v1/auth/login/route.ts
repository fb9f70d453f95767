// POST /api/v1/auth/login – checks username and password and opens the second-factor step; issues no token.
import { publicApiRoute, readJsonRequest } from '@/lib/http/api';
import { clientOf, jsonWithCookies } from '@/lib/http/auth-responses';
import { beginLogin } from '@/lib/auth/sign-in/begin-login';
import { signInServices } from '@/lib/auth/sign-in/services';
import { CHALLENGE_COOKIE, CHALLENGE_LIFETIME_SECONDS, cookieHeader, REFRESH_COOKIE_PATH } from '@/lib/auth/session-cookies';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  const body = await readJsonRequest(request, 16 * 1024);
  const { clientAddress } = clientOf(request);
  const began = await beginLogin(ctx, body, signInServices(), clientAddress);
  const cookie = cookieHeader(CHALLENGE_COOKIE, began.challengeToken, { path: REFRESH_COOKIE_PATH, maxAgeSeconds: CHALLENGE_LIFETIME_SECONDS });
  return jsonWithCookies({ next: began.next, methods: began.methods }, [cookie]);
});

