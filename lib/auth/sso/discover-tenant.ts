import * as client from 'openid-client';
import { tenantIssuer, type StoredAzureSsoSettings } from './azure-sso-settings';
import { oidcFetch } from './oidc-fetch';
import { SsoRefusedError } from './sso-refusal';

/** Seconds each request to the provider may take. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * Fetches the tenant's discovery document and returns the openid-client
 * configuration of our confidential client. The document's `issuer` must equal
 * `<authority>/<tenant id>/v2.0` exactly (openid-client checks it), so a
 * document of another tenant or of the multi-tenant `common` endpoint is
 * rejected. The client authenticates with client_secret_post.
 */
export async function discoverTenant(
  settings: Pick<StoredAzureSsoSettings, 'authority' | 'tenantId' | 'clientId' | 'clientSecret'>,
): Promise<client.Configuration> {
  const issuer = new URL(tenantIssuer(settings));
  const configuration = await client.discovery(
    issuer,
    settings.clientId,
    { client_secret: settings.clientSecret },
    client.ClientSecretPost(settings.clientSecret),
    { [client.customFetch]: oidcFetch, timeout: PROVIDER_TIMEOUT_SECONDS },
  );
  configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
  return configuration;
}

/**
 * Like `discoverTenant`, and checks the discovered issuer against the configured
 * tenant itself, because openid-client skips its own issuer check for the
 * login.microsoftonline.com origin to support multi-tenant apps. Raises
 * SsoRefusedError: `provider_unavailable` when the document cannot be fetched or
 * parsed, `issuer_mismatch` when it names another issuer.
 */
export async function discoverTenantChecked(
  settings: Pick<StoredAzureSsoSettings, 'authority' | 'tenantId' | 'clientId' | 'clientSecret'>,
): Promise<client.Configuration> {
  const expected = tenantIssuer(settings);
  let configuration: client.Configuration;
  try {
    configuration = await discoverTenant(settings);
  } catch (error) {
    const mismatch = error instanceof client.ClientError && error.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED';
    throw new SsoRefusedError(mismatch ? 'issuer_mismatch' : 'provider_unavailable', `${expected}: ${errorText(error)}`, { cause: error });
  }

  const issuer = configuration.serverMetadata().issuer;
  if (issuer !== expected) {
    throw new SsoRefusedError('issuer_mismatch', `expected issuer ${expected}, the discovery document names ${issuer}`);
  }
  return configuration;
}

/** Describes a provider error for logs and audit rows by its message and code, never its response body. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${typeof code === 'string' ? ` (${code})` : ''}${cause}`;
}
