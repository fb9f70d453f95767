import * as client from 'openid-client';
import type { Context } from '@/lib/context';
import { safeReturnTo } from '../return-to';
import type { SignInServices } from '../sign-in/services';
import { azureRedirectUri, readStoredAzureSsoSettings } from './azure-sso-settings';
import { discoverTenantChecked } from './discover-tenant';
import { createSsoLoginFlow } from './sso-login-flow';
import { refuseSsoLogin } from './refuse-sso-login';
import { SsoRefusedError } from './sso-refusal';
import { countSsoRequest } from './count-sso-request';

/** The provider's authorization URL for the browser, and the binding token for the flow cookie. */
export interface StartedAzureLogin {
  authorizationUrl: string;
  bindingToken: string;
}

/**
 * Starts a sign-in with Microsoft Entra ID. It checks that SSO is enabled and
 * fetches the tenant's discovery document, whose issuer must be the configured
 * tenant's. It stores a new flow with fresh state, nonce and PKCE verifier, and
 * returns the authorization URL with an S256 code challenge. `returnTo` passes through
 * `safeReturnTo`, so only a path on this console survives. Refusals raise
 * SsoRefusedError after writing an `auth.sso.refused` audit row.
 */
export async function startAzureLogin(
  ctx: Context,
  request: { returnTo: string | null; clientAddress: string; publicUrl: string },
  services: Pick<SignInServices, 'loginLimiter'>,
): Promise<StartedAzureLogin> {
  try {
    await countSsoRequest(services, request.clientAddress);

    const settings = await readStoredAzureSsoSettings(ctx.db);
    if (!settings.enabled) {
      throw new SsoRefusedError('sso_disabled');
    }
    const configuration = await discoverTenantChecked(settings);

    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const authorizationUrl = client.buildAuthorizationUrl(configuration, {
      redirect_uri: azureRedirectUri(request.publicUrl),
      response_type: 'code',
      response_mode: 'query',
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });

    const bindingToken = await createSsoLoginFlow(ctx.db, { state, nonce, codeVerifier, returnTo: safeReturnTo(request.returnTo) });
    return { authorizationUrl: authorizationUrl.toString(), bindingToken };
  } catch (error) {
    throw await refuseSsoLogin(ctx, error, 'start');
  }
}
