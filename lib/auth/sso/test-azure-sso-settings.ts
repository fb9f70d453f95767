import * as client from 'openid-client';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { parseInput } from '@/lib/validation';
import { azureRedirectUri, azureSsoSettingsInput, DEFAULT_AUTHORITY, readStoredAzureSsoSettings } from './azure-sso-settings';
import { discoverTenantChecked, errorText } from './discover-tenant';
import { SsoRefusedError } from './sso-refusal';

/**
 * Scope of the client credentials request. Every Entra ID app may request a
 * Microsoft Graph token for itself, with or without Graph permissions, so the
 * request proves the secret without needing an API of our own.
 * NOTE: national clouds host Graph under other names; there the check reports the
 * provider's invalid_scope error even with a valid secret.
 */
export const CREDENTIALS_CHECK_SCOPE = 'https://graph.microsoft.com/.default';

const testInput = z
  .object({
    tenantId: azureSsoSettingsInput.shape.tenantId,
    clientId: azureSsoSettingsInput.shape.clientId,
    authority: azureSsoSettingsInput.shape.authority,
    clientSecret: z.string().min(1, { error: 'clientSecret: must not be empty; leave it out to test the stored secret' }).max(1024).optional(),
    /** The redirect URI registered in the app registration. */
    redirectUri: z.string({ error: 'redirectUri: expected the redirect URI registered in Entra ID' }).trim().max(2048),
  })
  .strict()
  .refine((value) => value.tenantId !== '' && value.clientId !== '', { error: 'tenantId: the tenant id and the client id are required for a test' });

export type AzureSsoTestInput = z.input<typeof testInput>;

/** The outcome of one check. */
export interface SsoCheck {
  ok: boolean;
  message: string;
}

export interface AzureSsoTestResult {
  ok: boolean;
  checks: { discovery: SsoCheck; clientCredentials: SsoCheck; redirectUri: SsoCheck };
}

function checkRedirectUri(registered: string, publicUrl: string): SsoCheck {
  const expected = azureRedirectUri(publicUrl);
  if (new URL(expected).protocol !== 'https:') {
    return { ok: false, message: `the console's public URL ${publicUrl} is not https://; Entra ID accepts only https redirect URIs for web apps` };
  }
  if (registered !== expected) {
    return { ok: false, message: `expected ${expected}, got ${registered || 'nothing'}; register ${expected} as a Web redirect URI` };
  }
  return { ok: true, message: `${expected} matches the console's callback` };
}

async function checkClientCredentials(configuration: client.Configuration): Promise<SsoCheck> {
  try {
    await client.clientCredentialsGrant(configuration, { scope: CREDENTIALS_CHECK_SCOPE });
    return { ok: true, message: 'the token endpoint accepted the client id and secret' };
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      return { ok: false, message: `the token endpoint rejected the client credentials: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}` };
    }
    return { ok: false, message: `the token request failed: ${errorText(error)}` };
  }
}

/**
 * Tests an Entra ID configuration without saving it (Admin only) and reports each
 * check with ok and a message. Discovery: the tenant's document is reachable and
 * names the issuer `<authority>/<tenant>/v2.0`. Client credentials: a
 * client_credentials token request with the given secret, or the stored one when
 * none is given, succeeds. Redirect URI: it equals the console's callback URL. A
 * failed discovery skips the credentials check. Nothing is stored or audited.
 */
export async function testAzureSsoSettings(ctx: Context, input: AzureSsoTestInput, options: { publicUrl: string }): Promise<AzureSsoTestResult> {
  assertAdmin(ctx);
  const parsed = parseInput(testInput, input, 'Azure SSO test');
  const clientSecret = parsed.clientSecret ?? (await readStoredAzureSsoSettings(ctx.db)).clientSecret;
  const settings = { ...parsed, authority: parsed.authority ?? DEFAULT_AUTHORITY, clientSecret };

  const redirectUri = checkRedirectUri(parsed.redirectUri, options.publicUrl);
  let discovery: SsoCheck;
  let clientCredentials: SsoCheck;
  try {
    const configuration = await discoverTenantChecked(settings);
    discovery = { ok: true, message: `the discovery document names the issuer ${configuration.serverMetadata().issuer}` };
    clientCredentials =
      clientSecret === ''
        ? { ok: false, message: 'no client secret is stored or given' }
        : await checkClientCredentials(configuration);
  } catch (error) {
    if (!(error instanceof SsoRefusedError)) throw error;
    discovery = { ok: false, message: error.detail };
    clientCredentials = { ok: false, message: 'not tested, because discovery failed' };
  }

  return { ok: discovery.ok && clientCredentials.ok && redirectUri.ok, checks: { discovery, clientCredentials, redirectUri } };
}
