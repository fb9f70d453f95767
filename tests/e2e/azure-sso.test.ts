import crypto from 'node:crypto';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { hostGroups } from '@/lib/db/schema';
import { browserSessionCookies, createTestUser, freshTotpCode, setCookies, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestProviderCa, startEntraTestProvider, type EntraTestProvider, type TestProviderCa } from '../helpers/entra-test-provider';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Sign-in with Microsoft Entra ID through Chromium against a real OpenID Provider:
// oidc-provider on loopback HTTPS, shaped like an Entra tenant. The file covers our
// own MFA step after it, the settings API and its test endpoint, every rejection
// in the callback, and the break-glass restriction of password sign-in.

const TENANT = crypto.randomUUID();
const OTHER_TENANT = crypto.randomUUID();
const CLIENT_ID = crypto.randomUUID();
const ADMIN_GROUP = crypto.randomUUID();
const OPERATOR_GROUP = crypto.randomUUID();
const UNMAPPED_GROUP = crypto.randomUUID();

let database: TestDatabase;
let ca: TestProviderCa;
let server: ServerProcess;
let provider: EntraTestProvider;
let browser: TestBrowser;
let admin: TestUser;
let adminSession: SignedIn;
let linuxHostGroup = '';
let webHostGroup = '';
let aliceTotpSecret = '';

function call(path: string, options: { method?: string; body?: unknown; session?: SignedIn | null; cookie?: string } = {}): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${path}`, {
    method: options.method,
    body: options.body,
    authorization: options.session === null ? undefined : (options.session ?? adminSession).bearer,
    cookie: options.cookie,
    ca: server.caCertPem,
  });
}

function settingsBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    authority: provider.authority,
    groupMappings: [
      { entraGroupId: OPERATOR_GROUP, role: 'operator', hostGroupIds: [linuxHostGroup] },
      { entraGroupId: ADMIN_GROUP, role: 'admin', hostGroupIds: [webHostGroup] },
    ],
    restrictLocalLogin: false,
    breakGlassUsernames: [],
    ...overrides,
  };
}

async function saveSettings(overrides: Record<string, unknown> = {}): Promise<JsonResponse> {
  const response = await call('/api/v1/settings/azure-sso', { method: 'PUT', body: settingsBody(overrides) });
  expect(response.status, response.text).toBe(200);
  return response;
}

async function lastAuditId(): Promise<number> {
  const [row] = await database.sql<{ id: string | null }[]>`select max(id)::text as id from audit_log`;
  return Number(row?.id ?? 0);
}

async function auditDetails(action: string, since: number): Promise<Record<string, unknown>[]> {
  const rows = await database.sql<{ details: Record<string, unknown> }[]>`
    select details from audit_log where action = ${action} and id > ${since} order by id`;
  return rows.map((row) => row.details);
}

/** Row counts that a refused sign-in must leave unchanged. */
async function createdRows(): Promise<Record<string, number>> {
  const [row] = await database.sql<{ users: number; identities: number; challenges: number; sessions: number }[]>`
    select (select count(*)::int from users) as users,
           (select count(*)::int from user_external_identities) as identities,
           (select count(*)::int from auth_challenges) as challenges,
           (select count(*)::int from refresh_tokens) as sessions`;
  return row!;
}

/** Opens a fresh browser profile on the console's sign-in page and clicks "Sign in with Microsoft". */
async function startSsoInBrowser(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.webUrl}/hosts`);
  await page.waitForURL(/\/login\?returnTo=%2Fhosts$/);
  await page.locator('[data-testid="sso-login"]').click();
  await page.waitForURL(/\/interaction\//);
  return { context, page };
}

/** Signs in at the test provider's login page and grants consent. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.locator('button:has-text("Continue")').click();
}

/** Runs a sign-in up to the provider's redirect and returns the callback URL, which never reaches the console. */
async function captureCallback(login: string): Promise<{ context: BrowserContext; page: Page; callbackUrl: URL }> {
  const { context, page } = await startSsoInBrowser();
  provider.capturedCallback = null;
  provider.captureCallback = true;
  try {
    await signInAtProvider(page, login);
    await expect.poll(() => provider.capturedCallback).not.toBeNull();
  } finally {
    provider.captureCallback = false;
  }
  return { context, page, callbackUrl: new URL(provider.capturedCallback!) };
}

/** Runs a whole sign-in in a fresh profile and returns the refusal reason the console shows, or null when it reached our MFA step. */
async function ssoOutcome(login: string): Promise<string | null> {
  const { context, page } = await startSsoInBrowser();
  try {
    await signInAtProvider(page, login);
    await page.waitForURL(/\/login(\/enroll|\/sso-refused)?\?/);
    const url = new URL(page.url());
    return url.pathname === '/login/sso-refused' ? url.searchParams.get('reason') : null;
  } finally {
    await context.close();
  }
}

/** Asserts that a callback was refused with `reason`, audited, and created no user, identity, challenge or session. */
async function expectRefused(page: Page, reason: string, since: number, before: Record<string, number>): Promise<void> {
  await page.waitForURL(/\/login\/sso-refused\?/);
  expect(new URL(page.url()).searchParams.get('reason')).toBe(reason);
  expect(await page.locator('[data-testid="sso-refused"]').innerText()).not.toBe('');
  expect(await createdRows()).toEqual(before);
  const refusals = await auditDetails('auth.sso.refused', since);
  expect(refusals.map((details) => details.reason)).toContain(reason);
}

beforeAll(async () => {
  database = await createTestDatabase();
  ca = await createTestProviderCa();
  server = await startServer({ databaseUrl: database.url, env: { PM_OIDC_EXTRA_CA_FILE: ca.file } });
  provider = await startEntraTestProvider({
    ca,
    redirectUri: `${server.webUrl}/api/v1/auth/azure/callback`,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    aliasTenantIds: [OTHER_TENANT],
  });
  provider.accounts.set('alice', { oid: crypto.randomUUID(), tid: TENANT, groups: [OPERATOR_GROUP], preferred_username: 'Alice@Contoso.test', name: 'Alice' });
  provider.accounts.set('mallory', { oid: crypto.randomUUID(), tid: TENANT, groups: [UNMAPPED_GROUP], preferred_username: 'mallory@contoso.test', name: 'Mallory' });
  provider.accounts.set('foreigner', { oid: crypto.randomUUID(), tid: OTHER_TENANT, groups: [ADMIN_GROUP], preferred_username: 'foreigner@fabrikam.test', name: 'Foreigner' });

  const groups = await database.db.insert(hostGroups).values([{ name: 'linux' }, { name: 'web' }]).returning({ id: hostGroups.id });
  linuxHostGroup = groups[0]!.id;
  webHostGroup = groups[1]!.id;

  admin = await createTestUser(database.db, { role: 'admin' });
  adminSession = await signIn(server, admin);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await provider?.close();
  await server?.stop();
  await database?.drop();
  ca?.remove();
  // Last, because it fails the file when a page reported a policy violation.
  await browser?.close();
});

describe('Azure SSO settings API', () => {
  it('hides the button while SSO is disabled', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.webUrl}/login`);
    await page.locator('[data-testid="password-form"]').waitFor();
    expect(await page.locator('[data-testid="sso-login"]').count()).toBe(0);
    await context.close();
  });

  it('stores the client secret write-only and audits without it', async () => {
    const since = await lastAuditId();
    const saved = await saveSettings({ clientSecret: provider.clientSecret });
    const read = await call('/api/v1/settings/azure-sso');

    expect(saved.text).not.toContain(provider.clientSecret);
    expect(read.text).not.toContain(provider.clientSecret);
    expect(read.body).toMatchObject({ enabled: true, tenantId: TENANT, clientSecretSet: true, redirectUri: `${server.webUrl}/api/v1/auth/azure/callback` });
    const audits = await auditDetails('settings.azure_sso', since);
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain(provider.clientSecret);
    expect(audits[0]!.clientAuthChanged).toBe(true);

    await saveSettings();
    const kept = await auditDetails('settings.azure_sso', since);
    expect(kept[1]!.clientAuthChanged).toBe(false);
    expect((await call('/api/v1/settings/azure-sso')).body).toMatchObject({ clientSecretSet: true });
  });

  it('rejects a mapping to a missing host group', async () => {
    const response = await call('/api/v1/settings/azure-sso', {
      method: 'PUT',
      body: settingsBody({ groupMappings: [{ entraGroupId: ADMIN_GROUP, role: 'admin', hostGroupIds: [crypto.randomUUID()] }] }),
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('not found');
  });

  it('refuses the settings to an Operator', async () => {
    const operator = await createTestUser(database.db, { role: 'operator' });
    const session = await signIn(server, operator);
    expect((await call('/api/v1/settings/azure-sso', { session })).status).toBe(403);
    expect((await call('/api/v1/settings/azure-sso/test', { method: 'POST', body: {}, session })).status).toBe(403);
  });
});

describe('Azure SSO test endpoint', () => {
  const redirectUri = () => `${server.webUrl}/api/v1/auth/azure/callback`;

  it('passes a working configuration with the stored secret', async () => {
    const response = await call('/api/v1/settings/azure-sso/test', {
      method: 'POST',
      body: { tenantId: TENANT, clientId: CLIENT_ID, authority: provider.authority, redirectUri: redirectUri() },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      ok: true,
      checks: { discovery: { ok: true }, clientCredentials: { ok: true }, redirectUri: { ok: true } },
    });
  });

  it('reports a wrong secret without saving', async () => {
    const before = (await call('/api/v1/settings/azure-sso')).text;
    const since = await lastAuditId();
    const response = await call('/api/v1/settings/azure-sso/test', {
      method: 'POST',
      body: { tenantId: TENANT, clientId: CLIENT_ID, authority: provider.authority, clientSecret: 'wrong-secret-value', redirectUri: redirectUri() },
    });

    expect(response.body).toMatchObject({ ok: false, checks: { discovery: { ok: true }, clientCredentials: { ok: false }, redirectUri: { ok: true } } });
    expect(response.text).toContain('invalid_client');
    expect(response.text).not.toContain('wrong-secret-value');
    expect((await call('/api/v1/settings/azure-sso')).text).toBe(before);
    expect(await lastAuditId()).toBe(since);
  });

  it('reports a tenant whose issuer differs', async () => {
    const response = await call('/api/v1/settings/azure-sso/test', {
      method: 'POST',
      body: { tenantId: OTHER_TENANT, clientId: CLIENT_ID, authority: provider.authority, redirectUri: redirectUri() },
    });
    const body = response.body as { ok: boolean; checks: { discovery: { ok: boolean; message: string }; clientCredentials: { ok: boolean } } };
    expect(body.ok).toBe(false);
    expect(body.checks.discovery.ok).toBe(false);
    expect(body.checks.discovery.message).toContain(OTHER_TENANT);
    expect(body.checks.clientCredentials.ok).toBe(false);
    expect((await call('/api/v1/settings/azure-sso')).body).toMatchObject({ tenantId: TENANT });
  });

  it('reports an unknown tenant', async () => {
    const response = await call('/api/v1/settings/azure-sso/test', {
      method: 'POST',
      body: { tenantId: crypto.randomUUID(), clientId: CLIENT_ID, authority: provider.authority, redirectUri: redirectUri() },
    });
    expect(response.body).toMatchObject({ ok: false, checks: { discovery: { ok: false } } });
  });

  it('reports a redirect URI that differs from the callback', async () => {
    const response = await call('/api/v1/settings/azure-sso/test', {
      method: 'POST',
      body: { tenantId: TENANT, clientId: CLIENT_ID, authority: provider.authority, redirectUri: 'https://console.example.test/callback' },
    });
    expect(response.body).toMatchObject({ ok: false, checks: { discovery: { ok: true }, redirectUri: { ok: false } } });
  });
});

describe('single sign-on settings page', () => {
  it('tests and saves without showing the secret', async () => {
    const context = await browser.newContext();
    await context.addCookies(browserSessionCookies(adminSession, server.webUrl));
    const page = await context.newPage();
    await page.goto(`${server.webUrl}/settings/sso`);

    expect(await page.content()).not.toContain(provider.clientSecret);
    expect(await page.locator('[data-testid="sso-client-secret"]').getAttribute('placeholder')).toBe('Set; leave empty to keep it');
    expect(await page.locator('[data-testid="sso-redirect-uri"]').innerText()).toBe(`${server.webUrl}/api/v1/auth/azure/callback`);

    await page.locator('[data-testid="sso-test"]').click();
    await page.locator('[data-testid="sso-test-result"]').waitFor();
    expect(await page.locator('[data-testid="sso-test-result"]').getAttribute('data-ok')).toBe('true');

    const since = await lastAuditId();
    await page.locator('[data-testid="sso-save"]').click();
    await page.locator('[data-testid="sso-saved"]').waitFor();
    const audits = await auditDetails('settings.azure_sso', since);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.clientAuthChanged).toBe(false);
    expect((await call('/api/v1/settings/azure-sso')).body).toMatchObject({
      enabled: true,
      clientSecretSet: true,
      groupMappings: [
        { entraGroupId: OPERATOR_GROUP, role: 'operator', hostGroupIds: [linuxHostGroup] },
        { entraGroupId: ADMIN_GROUP, role: 'admin', hostGroupIds: [webHostGroup] },
      ],
    });
    await context.close();
  });
});

describe('sign-in with Microsoft in Chromium', () => {
  it('creates the user and requires TOTP enrollment before any session', async () => {
    const since = await lastAuditId();
    const { context, page } = await startSsoInBrowser();
    await signInAtProvider(page, 'alice');
    await page.waitForURL(/\/login\/enroll\?returnTo=%2Fhosts$/);

    const [user] = await database.sql<{ id: string; role: string }[]>`select id, role from users where username = 'alice@contoso.test'`;
    expect(user?.role).toBe('operator');
    const [sessions] = await database.sql<{ count: number }[]>`select count(*)::int as count from refresh_tokens where user_id = ${user!.id}`;
    expect(sessions?.count).toBe(0);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('pm_access');
    const memberships = await database.sql<{ group_id: string }[]>`select group_id from user_group_members where user_id = ${user!.id}`;
    expect(memberships.map((row) => row.group_id)).toEqual([linuxHostGroup]);

    aliceTotpSecret = (await page.locator('[data-testid="totp-secret"]').innerText()).trim();
    await page.locator('[data-testid="enroll-code"]').fill(await freshTotpCode(aliceTotpSecret));
    await page.locator('[data-testid="enroll-submit"]').click();
    await page.locator('[data-testid="recovery-codes"]').waitFor();
    await page.locator('[data-testid="enroll-continue"]').click();
    await page.waitForURL(/\/hosts$/);
    expect(await page.locator('[data-testid="user-name"]').innerText()).toBe('alice@contoso.test');

    expect(await auditDetails('user.create', since)).toEqual([expect.objectContaining({ username: 'alice@contoso.test', role: 'operator', source: 'sso' })]);
    expect(await auditDetails('auth.sso.login', since)).toEqual([expect.objectContaining({ username: 'alice@contoso.test', created: true })]);
    expect(await auditDetails('auth.login', since)).toEqual([expect.objectContaining({ method: 'totp-enroll' })]);
    await context.close();
  });

  it('asks for TOTP at the next sign-in and applies a changed mapping', async () => {
    await saveSettings({
      groupMappings: [
        { entraGroupId: OPERATOR_GROUP, role: 'admin', hostGroupIds: [webHostGroup] },
        { entraGroupId: ADMIN_GROUP, role: 'admin', hostGroupIds: [linuxHostGroup] },
      ],
    });
    const since = await lastAuditId();
    const { context, page } = await startSsoInBrowser();
    await signInAtProvider(page, 'alice');
    await page.waitForURL(/\/login\?returnTo=%2Fhosts&step=mfa/);
    await page.locator('[data-testid="code-input"]').fill(await freshTotpCode(aliceTotpSecret));
    await page.locator('[data-testid="code-submit"]').click();
    await page.waitForURL(/\/hosts$/);

    expect(await page.locator('[data-testid="user-role"]').innerText()).toBe('Admin');
    const [user] = await database.sql<{ id: string; role: string }[]>`select id, role from users where username = 'alice@contoso.test'`;
    expect(user?.role).toBe('admin');
    const memberships = await database.sql<{ group_id: string }[]>`select group_id from user_group_members where user_id = ${user!.id}`;
    expect(memberships.map((row) => row.group_id)).toEqual([webHostGroup]);
    expect(await auditDetails('user.update', since)).toEqual([
      expect.objectContaining({ oldRole: 'operator', newRole: 'admin', hostGroupsAdded: [webHostGroup], hostGroupsRemoved: [linuxHostGroup] }),
    ]);
    expect(await auditDetails('auth.login', since)).toEqual([expect.objectContaining({ method: 'totp' })]);
    await context.close();
    await saveSettings();
  });

  it('refuses an unknown user whose groups are not mapped', async () => {
    const before = await createdRows();
    const since = await lastAuditId();
    expect(await ssoOutcome('mallory')).toBe('no_mapped_group');
    expect(await createdRows()).toEqual(before);
    const [row] = await database.sql<{ count: number }[]>`select count(*)::int as count from users where username = 'mallory@contoso.test'`;
    expect(row?.count).toBe(0);
    expect(await auditDetails('auth.sso.refused', since)).toEqual([expect.objectContaining({ reason: 'no_mapped_group', step: 'callback' })]);
  });

  it('refuses a token of another tenant', async () => {
    const before = await createdRows();
    expect(await ssoOutcome('foreigner')).toBe('tenant_mismatch');
    expect(await createdRows()).toEqual(before);
  });
});

describe('callback refusals', () => {
  it('refuses a changed state', async () => {
    const before = await createdRows();
    const since = await lastAuditId();
    const { context, page, callbackUrl } = await captureCallback('alice');
    callbackUrl.searchParams.set('state', 'not-the-stored-state');
    await page.goto(callbackUrl.toString());
    await expectRefused(page, 'state_mismatch', since, before);
    await context.close();
  });

  it('refuses a replayed callback', async () => {
    const before = await createdRows();
    const since = await lastAuditId();
    const { context, page, callbackUrl } = await captureCallback('alice');
    await page.goto(callbackUrl.toString());
    await page.waitForURL(/\/login\?returnTo=%2Fhosts&step=mfa/);
    const afterFirst = await createdRows();
    await page.goto(callbackUrl.toString());
    await expectRefused(page, 'flow_missing', since, afterFirst);
    expect(afterFirst.users).toBe(before.users);
    await context.close();
  });

  it('refuses a callback without the flow cookie', async () => {
    const before = await createdRows();
    const since = await lastAuditId();
    const first = await captureCallback('alice');
    const other = await browser.newContext();
    const page = await other.newPage();
    await page.goto(first.callbackUrl.toString());
    await expectRefused(page, 'flow_missing', since, before);
    await first.context.close();
    await other.close();
  });

  it('refuses a code bound to another code_verifier', async () => {
    const first = await captureCallback('alice');
    const second = await captureCallback('alice');
    const before = await createdRows();
    const since = await lastAuditId();
    const swapped = new URL(second.callbackUrl);
    swapped.searchParams.set('code', first.callbackUrl.searchParams.get('code')!);
    await second.page.goto(swapped.toString());
    await expectRefused(second.page, 'code_rejected', since, before);
    await first.context.close();
    await second.context.close();
  });

  it('provider rejects a code redeemed without code_verifier', async () => {
    const { context, callbackUrl } = await captureCallback('alice');
    const discovery = await fetchJson(`${provider.issuer}/.well-known/openid-configuration`);
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: callbackUrl.searchParams.get('code')!,
      redirect_uri: `${server.webUrl}/api/v1/auth/azure/callback`,
      client_id: CLIENT_ID,
      client_secret: provider.clientSecret,
    });
    const token = await fetchJson(String((discovery.body as { token_endpoint: string }).token_endpoint), form);
    expect(token.status).toBe(400);
    expect(token.body).toMatchObject({ error: 'invalid_grant' });
    await context.close();
  });

  it('refuses a sign-in the provider rejects for plain PKCE', async () => {
    const before = await createdRows();
    const since = await lastAuditId();
    const context = await browser.newContext();
    const page = await context.newPage();
    // The context's request API shares the browser's cookies, so the flow cookie set here is the browser's.
    const started = await page.request.get(`${server.webUrl}/api/v1/auth/azure/login`, { maxRedirects: 0 });
    const authorization = new URL(started.headers().location!);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');

    authorization.searchParams.set('code_challenge_method', 'plain');
    authorization.searchParams.set('code_challenge', crypto.randomBytes(32).toString('base64url'));
    await page.goto(authorization.toString());
    await expectRefused(page, 'provider_error', since, before);
    await context.close();
  });

  for (const [name, claim, value, reason] of [
    ['refuses a changed nonce', 'nonce', 'another-nonce', 'nonce_mismatch'],
    ['refuses an issuer of another tenant', 'iss', `https://127.0.0.1:1/${OTHER_TENANT}/v2.0`, 'issuer_mismatch'],
    ['refuses a tid of another tenant', 'tid', OTHER_TENANT, 'tenant_mismatch'],
    ['refuses another audience', 'aud', crypto.randomUUID(), 'audience_mismatch'],
  ] as const) {
    it(name, async () => {
      const before = await createdRows();
      const since = await lastAuditId();
      provider.tamperIdToken = (claims) => {
        claims[claim] = value;
      };
      try {
        const { context, page } = await startSsoInBrowser();
        await signInAtProvider(page, 'alice');
        await expectRefused(page, reason, since, before);
        await context.close();
      } finally {
        provider.tamperIdToken = null;
      }
    });
  }

  it('refuses a discovery document of another tenant', async () => {
    await saveSettings({ tenantId: OTHER_TENANT });
    const before = await createdRows();
    const since = await lastAuditId();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.webUrl}/login`);
      await page.locator('[data-testid="sso-login"]').click();
      await expectRefused(page, 'issuer_mismatch', since, before);
      await context.close();
    } finally {
      await saveSettings();
    }
  });

  it('keeps only local paths as returnTo', async () => {
    for (const returnTo of ['//evil.test', '/\\evil.test', 'https://evil.test/', 'HTTPS://evil.test', '/..//evil.test', 'javascript:alert(1)']) {
      const response = await call(`/api/v1/auth/azure/login?returnTo=${encodeURIComponent(returnTo)}`, { session: null });
      expect(response.status).toBe(303);
      expect(String(response.headers.location)).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
      const binding = setCookies(response).get('pm_sso');
      expect(binding).toBeDefined();
      const [flow] = await database.sql<{ return_to: string }[]>`
        select return_to from sso_login_flows order by created_at desc limit 1`;
      expect(flow?.return_to, returnTo).toBe('/dashboard');
    }
  });

  it('sets the flow cookie httpOnly, Secure and SameSite=Lax', async () => {
    const response = await call('/api/v1/auth/azure/login?returnTo=%2Fjobs', { session: null });
    const cookie = [response.headers['set-cookie']].flat().find((line) => line?.startsWith('pm_sso='));
    expect(cookie).toMatch(/; Path=\/api\/v1\/auth\/azure; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/);
    const location = new URL(String(response.headers.location));
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
  });
});

describe('break-glass restriction', () => {
  it('rejects password sign-in outside the break-glass list', async () => {
    const operator = await createTestUser(database.db, { role: 'operator' });
    await saveSettings({ restrictLocalLogin: true, breakGlassUsernames: [admin.username] });
    const since = await lastAuditId();
    try {
      const refused = await call('/api/v1/auth/login', { body: { username: operator.username, password: operator.password }, session: null });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('break-glass');
      expect(setCookies(refused).has('pm_mfa')).toBe(false);
      expect(await auditDetails('auth.login_failed', since)).toEqual([
        expect.objectContaining({ username: operator.username, reason: 'local_login_restricted' }),
      ]);

      await expect(signIn(server, admin)).resolves.toMatchObject({ accessToken: expect.any(String) });

      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.webUrl}/login`);
      await page.locator('[data-testid="local-login-restricted"]').waitFor();
      await page.locator('#username').fill(operator.username);
      await page.locator('#password').fill(operator.password);
      await page.locator('[data-testid="password-submit"]').click();
      expect(await page.locator('[data-testid="login-error"]').innerText()).toContain('break-glass');
      await context.close();
    } finally {
      await saveSettings();
    }
  });

  it('rejects a listed user who is not an Admin', async () => {
    const operator = await createTestUser(database.db, { role: 'operator' });
    await saveSettings({ restrictLocalLogin: true, breakGlassUsernames: [admin.username, operator.username] });
    try {
      const refused = await call('/api/v1/auth/login', { body: { username: operator.username, password: operator.password }, session: null });
      expect(refused.status).toBe(403);
    } finally {
      await saveSettings();
    }
  });
});

/** Sends a GET, or a form POST when `form` is given, to the test provider, trusting its CA. */
function fetchJson(url: string, form?: URLSearchParams): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: form ? 'POST' : 'GET',
        ca: ca.certPem,
        headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null }));
      },
    );
    request.on('error', reject);
    request.end(form?.toString());
  });
}
