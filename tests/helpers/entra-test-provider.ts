import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';
import { createCa } from '@/lib/pki/create-ca';
import { parseHostNames } from '@/lib/pki/host-names';
import { issueWebCertificate } from '@/lib/pki/issue-web-certificate';

/** Scope the console's credentials check requests; the test provider accepts it like Entra ID does. */
const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** Claims of one test account, as Entra ID puts them in an ID token. */
export interface EntraTestAccount {
  oid: string;
  tid: string;
  groups: string[];
  preferred_username: string;
  name: string;
  email?: string;
}

/** The CA a test provider's TLS certificate chains to, written to a file for PM_OIDC_EXTRA_CA_FILE. */
export interface TestProviderCa {
  certPem: string;
  keyPem: string;
  file: string;
  remove(): void;
}

/** Creates a CA for the test provider's certificate and writes its certificate to a temporary file. */
export async function createTestProviderCa(): Promise<TestProviderCa> {
  const ca = await createCa();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-oidc-ca-'));
  const file = path.join(directory, 'ca.pem');
  fs.writeFileSync(file, ca.certPem);
  return { ...ca, file, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}

export interface EntraTestProvider {
  /** `https://127.0.0.1:<port>`, the value of the settings' `authority`. */
  authority: string;
  /** `https://127.0.0.1:<port>/<tenant>/v2.0`. */
  issuer: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login name; the provider's login form accepts any password for them. */
  accounts: Map<string, EntraTestAccount>;
  /**
   * When set, changes the claims of every ID token the token endpoint returns, and
   * the token is signed again with the provider's own key, so the console receives a
   * validly signed token with wrong claims.
   */
  tamperIdToken: ((claims: JWTPayload) => void) | null;
  /**
   * When true, the provider's next redirect to the console's callback is not sent:
   * the browser gets a plain page instead, and the redirect URL is stored in
   * `capturedCallback`. Playwright cannot intercept a redirect the browser follows,
   * so the provider withholds it instead.
   */
  captureCallback: boolean;
  capturedCallback: string | null;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider, a certified OpenID Provider, on loopback HTTPS, shaped like
 * an Entra ID tenant: issuer `https://127.0.0.1:<port>/<tenant>/v2.0`, ID tokens
 * with `tid`, `oid` and `groups`, PKCE required with S256 only, one confidential
 * client (client_secret_post) that may also use client_credentials. Requests under
 * `/<alias tenant>/v2.0` reach the same provider, so a console configured for an
 * alias tenant gets a discovery document naming another tenant's issuer.
 */
export async function startEntraTestProvider(options: {
  ca: TestProviderCa;
  redirectUri: string;
  tenantId: string;
  clientId: string;
  aliasTenantIds?: string[];
}): Promise<EntraTestProvider> {
  const { certPem, keyPem } = await issueWebCertificate({ caCertPem: options.ca.certPem, caKeyPem: options.ca.keyPem, hostNames: parseHostNames(['127.0.0.1']) });
  const server = https.createServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.3' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const authority = `https://127.0.0.1:${port}`;
  const issuer = `${authority}/${options.tenantId}/v2.0`;
  const clientSecret = crypto.randomBytes(24).toString('base64url');

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, EntraTestAccount>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code', 'client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        scope: `openid profile email ${GRAPH_DEFAULT_SCOPE}`,
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    scopes: ['openid', 'profile', 'email', GRAPH_DEFAULT_SCOPE],
    claims: { openid: ['sub', 'tid', 'oid', 'groups'], profile: ['name', 'preferred_username'], email: ['email'] },
    features: { devInteractions: { enabled: true }, clientCredentials: { enabled: true } },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
  });

  const control: EntraTestProvider = {
    authority,
    issuer,
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret,
    accounts,
    tamperIdToken: null,
    captureCallback: false,
    capturedCallback: null,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  provider.use(async (ctx, next) => {
    await next();
    const location = ctx.response.get('location') ?? '';
    if (control.captureCallback && location.startsWith(`${options.redirectUri}?`)) {
      control.captureCallback = false;
      control.capturedCallback = location;
      ctx.response.remove('location');
      ctx.status = 200;
      ctx.type = 'text/plain';
      ctx.body = 'callback captured by the test';
      return;
    }

    const body = ctx.body as { id_token?: unknown } | undefined;
    if (ctx.path === '/token' && control.tamperIdToken && body && typeof body.id_token === 'string') {
      const claims = decodeJwt(body.id_token);
      control.tamperIdToken(claims);
      body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' }).sign(privateKey);
    }
  });

  const handle = provider.callback();
  const prefixes = [options.tenantId, ...(options.aliasTenantIds ?? [])].map((tenant) => `/${tenant}/v2.0`);
  server.on('request', (request, response) => {
    const url = request.url ?? '/';
    const prefix = prefixes.find((candidate) => url === candidate || url.startsWith(`${candidate}/`) || url.startsWith(`${candidate}?`));
    if (!prefix) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    // oidc-provider derives its mount path from originalUrl, as under Express.
    (request as typeof request & { originalUrl?: string }).originalUrl = url;
    request.url = url.slice(prefix.length) || '/';
    handle(request, response);
  });

  return control;
}
