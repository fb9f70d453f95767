import { timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { userMfaStatus } from '../mfa/user-mfa-status';
import type { SecondFactorMethod } from '../sign-in/begin-login';
import { createLoginChallenge, type ChallengePurpose } from '../sign-in/login-challenge';
import type { SignInServices } from '../sign-in/services';
import { azureRedirectUri, readStoredAzureSsoSettings, tenantIssuer, type StoredAzureSsoSettings } from './azure-sso-settings';
import { countSsoRequest } from './count-sso-request';
import { discoverTenantChecked, errorText } from './discover-tenant';
import { refuseSsoLogin } from './refuse-sso-login';
import { consumeSsoLoginFlow, type SsoLoginFlow } from './sso-login-flow';
import { SsoRefusedError } from './sso-refusal';
import { syncSsoUser, type SsoIdentity } from './sync-sso-user';

/** The second-factor step an SSO sign-in continues with, as a password sign-in does. */
export interface FinishedAzureLogin {
  /** Token for the challenge cookie of the second-factor step. */
  challengeToken: string;
  next: ChallengePurpose;
  methods: SecondFactorMethod[];
  /** The path the sign-in started from, already checked by `safeReturnTo`. */
  returnTo: string;
  username: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Maps an error of the token request or ID token validation to a refusal reason. */
function tokenRefusal(error: unknown): SsoRefusedError {
  const detail = errorText(error);
  if (error instanceof client.ResponseBodyError) {
    return new SsoRefusedError('code_rejected', `${error.error}: ${error.error_description ?? ''}`, { cause: error });
  }
  if (error instanceof client.ClientError && error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    const claim = (error.cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
    if (claim === 'nonce') return new SsoRefusedError('nonce_mismatch', detail, { cause: error });
    if (claim === 'iss') return new SsoRefusedError('issuer_mismatch', detail, { cause: error });
    if (claim === 'aud' || claim === 'azp') return new SsoRefusedError('audience_mismatch', detail, { cause: error });
  }
  return new SsoRefusedError('token_invalid', detail, { cause: error });
}

/** Reads the identity from validated ID token claims and checks the tenant, which openid-client does not know about. */
function identityFrom(claims: client.IDToken, settings: StoredAzureSsoSettings): SsoIdentity {
  const issuer = tenantIssuer(settings);
  if (claims.iss !== issuer) {
    throw new SsoRefusedError('issuer_mismatch', `expected issuer ${issuer}, the ID token names ${claims.iss}`);
  }
  const tid = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : '';
  if (tid !== settings.tenantId) {
    throw new SsoRefusedError('tenant_mismatch', `expected tid ${settings.tenantId}, the ID token names ${tid || 'none'}`);
  }
  const oid = typeof claims.oid === 'string' ? claims.oid.toLowerCase() : '';
  if (!GUID.test(oid)) {
    throw new SsoRefusedError('claims_missing', 'the ID token has no oid claim');
  }

  // With more groups than fit in a token, Entra ID sends a `_claim_names` reference instead of the list.
  const claimNames = claims._claim_names as Record<string, unknown> | undefined;
  if (!Array.isArray(claims.groups) && claimNames && 'groups' in claimNames) {
    throw new SsoRefusedError('groups_overage', oid);
  }
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((group): group is string => typeof group === 'string') : [];
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

  return {
    issuer,
    subject: oid,
    preferredUsername: text(claims.preferred_username).toLowerCase() || null,
    displayName: text(claims.name),
    email: text(claims.email) || null,
    groups,
  };
}

async function exchangeCode(settings: StoredAzureSsoSettings, flow: SsoLoginFlow, callbackUrl: URL): Promise<client.IDToken> {
  const configuration = await discoverTenantChecked(settings);
  let claims: client.IDToken | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (error) {
    throw tokenRefusal(error);
  }
  if (!claims) {
    throw new SsoRefusedError('token_invalid', 'the token response has no ID token');
  }
  return claims;
}

/**
 * Finishes the callback of a sign-in with Microsoft Entra ID. The steps run in
 * this order. It counts the request per client address and consumes the flow of
 * the browser's binding cookie, which is then used up whatever follows. It
 * compares `state` and rejects a provider error. It redeems the code with the
 * stored PKCE verifier, and openid-client checks the ID token's signature,
 * issuer, audience and nonce. Then our code checks issuer, `tid` and `oid`. The verified identity is synchronised
 * with its console user (`syncSsoUser`) and a second-factor challenge opens,
 * exactly as after a correct password: no session and no token exist until the
 * user passes our own MFA step.
 *
 * Every refusal writes `auth.sso.refused` and raises SsoRefusedError, and none
 * creates a user or a challenge.
 */
export async function finishAzureLogin(
  ctx: Context,
  request: { bindingToken: string | null; query: URLSearchParams; clientAddress: string; publicUrl: string },
  services: Pick<SignInServices, 'loginLimiter'>,
): Promise<FinishedAzureLogin> {
  try {
    await countSsoRequest(services, request.clientAddress);

    const flow = await consumeSsoLoginFlow(ctx.db, request.bindingToken);
    if (!flow) {
      throw new SsoRefusedError('flow_missing', 'no open flow for the binding cookie');
    }
    if (!sameText(request.query.get('state') ?? '', flow.state)) {
      throw new SsoRefusedError('state_mismatch', 'the state parameter differs from the stored one');
    }
    const providerError = request.query.get('error');
    if (providerError !== null) {
      throw new SsoRefusedError('provider_error', providerError.slice(0, 64));
    }

    const settings = await readStoredAzureSsoSettings(ctx.db);
    if (!settings.enabled) {
      throw new SsoRefusedError('sso_disabled');
    }

    const callbackUrl = new URL(azureRedirectUri(request.publicUrl));
    callbackUrl.search = request.query.toString();
    const identity = identityFrom(await exchangeCode(settings, flow, callbackUrl), settings);

    return await ctx.db.transaction(async (tx) => {
      const user = await syncSsoUser(tx, { identity, mappings: settings.groupMappings, actor: ctx.actor });

      const status = await userMfaStatus({ db: tx }, user.userId);
      const next: ChallengePurpose = status.enrolled ? 'mfa' : 'enroll';
      const methods: SecondFactorMethod[] = [];
      if (next === 'enroll') {
        methods.push('totp');
      } else {
        if (status.totp) methods.push('totp');
        if (status.webauthn > 0) methods.push('webauthn');
        if (status.recoveryCodesLeft > 0) methods.push('recovery');
      }
      const challengeToken = await createLoginChallenge(tx, { userId: user.userId, purpose: next });
      for (const entry of user.auditEntries) {
        await writeAudit(tx, entry);
      }
      return { challengeToken, next, methods, returnTo: flow.returnTo, username: user.username };
    });
  } catch (error) {
    throw await refuseSsoLogin(ctx, error, 'callback');
  }
}
