// GET /api/v1/auth/azure/login?returnTo=/path – starts a sign-in with Microsoft Entra ID (PKCE S256) and redirects to the provider.
import { startAzureLogin } from '@/lib/auth/sso/start-azure-login';
import { ssoFlowCookieHeader } from '@/lib/auth/sso/sso-login-flow';
import { signInServices } from '@/lib/auth/sign-in/services';
import { anonymousContext } from '@/lib/console-context';
import { clientOf } from '@/lib/http/auth-responses';
import { redirectWithCookies, ssoErrorResponse } from '@/lib/http/sso-responses';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    const started = await startAzureLogin(
      await anonymousContext(),
      { returnTo: new URL(request.url).searchParams.get('returnTo'), clientAddress: clientOf(request).clientAddress, publicUrl: getRuntime().config.publicUrl },
      signInServices(),
    );
    return redirectWithCookies(started.authorizationUrl, [ssoFlowCookieHeader(started.bindingToken)]);
  } catch (error) {
    return ssoErrorResponse(error, []);
  }
}
