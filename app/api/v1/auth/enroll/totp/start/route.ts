// POST /api/v1/auth/enroll/totp/start – creates the TOTP secret of a first sign-in; needs the enrollment step's cookie.
import { publicApiRoute } from '@/lib/http/api';
import { readEmptyBody } from '@/lib/http/read-empty-body';
import { requestCookie } from '@/lib/http/auth-responses';
import { startFirstTotpEnrollment } from '@/lib/auth/sign-in/enroll-first-factor';
import { CHALLENGE_COOKIE } from '@/lib/auth/session-cookies';

export const dynamic = 'force-dynamic';

export const POST = publicApiRoute(async (request, ctx) => {
  await readEmptyBody(request);

  const enrollment = await startFirstTotpEnrollment(ctx, requestCookie(request, CHALLENGE_COOKIE));
  return Response.json(enrollment, { headers: { 'cache-control': 'no-store' } });
});
