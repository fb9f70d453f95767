// GET /api/v1/auth/azure/callback – the provider's redirect: verifies the sign-in and opens our second-factor step; issues no token.
import { finishAzureLogin } from '@/lib/auth/sso/finish-azure-login';
import { clearedSsoFlowCookieHeader, SSO_FLOW_COOKIE } from '@/lib/auth/sso/sso-login-flow';
import { CHALLENGE_COOKIE, CHALLENGE_LIFETIME_SECONDS, cookieHeader, REFRESH_COOKIE_PATH } from '@/lib/auth/session-cookies';
import { signInServices } from '@/lib/auth/sign-in/services';
import { anonymousContext } from '@/lib/console-context';
import { clientOf, requestCookie } from '@/lib/http/auth-responses';
import { redirectWithCookies, ssoErrorResponse } from '@/lib/http/sso-responses';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const publicUrl = getRuntime().config.publicUrl;
  // The flow cookie is single use, so every response removes it.
  const clearFlow = clearedSsoFlowCookieHeader();
  try {
    const finished = await finishAzureLogin(
      await anonymousContext(),
      {
        bindingToken: requestCookie(request, SSO_FLOW_COOKIE),
        query: new URL(request.url).searchParams,
        clientAddress: clientOf(request).clientAddress,
        publicUrl,
      },
      signInServices(),
    );
    const challenge = cookieHeader(CHALLENGE_COOKIE, finished.challengeToken, { path: REFRESH_COOKIE_PATH, maxAgeSeconds: CHALLENGE_LIFETIME_SECONDS });
    const returnTo = encodeURIComponent(finished.returnTo);
    const next =
      finished.next === 'enroll'
        ? `/login/enroll?returnTo=${returnTo}`
        : `/login?returnTo=${returnTo}&step=mfa&methods=${finished.methods.join(',')}`;
    return redirectWithCookies(new URL(next, publicUrl).toString(), [challenge, clearFlow]);
  } catch (error) {
    return ssoErrorResponse(error, [clearFlow]);
  }
}
