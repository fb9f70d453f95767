// POST /api/v1/auth/mfa/webauthn/options – returns the WebAuthn request options for the open sign-in.
import { publicApiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { requestCookie } from '@/lib/http/auth-responses';
import { startWebAuthnSignIn } from '@/lib/auth/sign-in/verify-second-factor';
import { signInServices } from '@/lib/auth/sign-in/services';
import { CHALLENGE_COOKIE } from '@/lib/auth/session-cookies';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const options = await startWebAuthnSignIn(ctx, requestCookie(request, CHALLENGE_COOKIE), signInServices());
  return Response.json(options, { headers: { 'cache-control': 'no-store' } });
});
