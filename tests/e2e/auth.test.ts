import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { totpAt } from '@/lib/auth/mfa/totp-code';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Sign-in in Chromium from first-run setup on: TOTP enrollment, sign-in with
// TOTP, a security key on Chromium's virtual authenticator, and a recovery code.
// The steps depend on each other, so they run in order in one browser context.

const USERNAME = 'first-admin';
const PASSWORD = 'correct horse battery staple 42';

let database: TestDatabase;
let server: ServerProcess;
let browser: TestBrowser;
let context: BrowserContext;
let page: Page;
let totpSecret = '';
let recoveryCodes: string[] = [];
let lastStep = 0;

/** Returns a TOTP code for a time step the server has not seen yet, waiting for the next step when needed. */
async function nextTotpCode(): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (step > lastStep) {
      lastStep = step;
      return totpAt(totpSecret, new Date(step * 30_000));
    }
    await page.waitForTimeout(1000);
  }
}

async function enterPassword(): Promise<void> {
  await page.goto(`${server.webUrl}/hosts`);
  await page.waitForURL(/\/login\?returnTo=%2Fhosts$/);
  await page.locator('#username').fill(USERNAME);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('[data-testid="password-submit"]').click();
}

async function signOut(): Promise<void> {
  await page.locator('[data-testid="sign-out"]').click();
  await page.waitForURL(/\/login$/);
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  // Last, because it fails the file when a page reported a policy violation.
  await browser?.close();
});

describe('sign-in in Chromium', () => {
  it('creates the first Admin with the printed setup token', async () => {
    const token = /Setup token: (pmsetup_\S+)/.exec(server.output())?.[1];
    expect(token).toBeDefined();

    await page.goto(`${server.webUrl}/setup`);
    await page.locator('#setupToken').fill(`${token!}x`);
    await page.locator('#username').fill(USERNAME);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('[data-testid="setup-submit"]').click();
    await page.locator('[data-testid="setup-error"]').waitFor();

    // A refused attempt keeps what was typed, so only the wrong field needs fixing.
    expect(await page.locator('#setupToken').inputValue()).toBe(`${token!}x`);
    expect(await page.locator('#username').inputValue()).toBe(USERNAME);
    await page.locator('#setupToken').fill(token!);
    await page.locator('[data-testid="setup-submit"]').click();
    await page.waitForURL(/\/login$/);

    const again = await page.goto(`${server.webUrl}/setup`);
    expect(again?.status()).toBe(404);
  });

  it('enrolls TOTP at the first sign-in and shows recovery codes', async () => {
    await enterPassword();
    await page.waitForURL(/\/login\/enroll/);
    totpSecret = (await page.locator('[data-testid="totp-secret"]').innerText()).trim();
    await page.locator('[data-testid="enroll-code"]').fill(await nextTotpCode());
    await page.locator('[data-testid="enroll-submit"]').click();
    await page.locator('[data-testid="recovery-codes"]').waitFor();
    recoveryCodes = await page.locator('[data-testid="recovery-code"]').allInnerTexts();
    await page.locator('[data-testid="enroll-continue"]').click();
    await page.waitForURL(/\/hosts$/);

    expect(recoveryCodes).toHaveLength(10);
    expect(await page.locator('[data-testid="user-name"]').innerText()).toBe(USERNAME);
    await signOut();
  });

  it('keeps the username after a wrong password', async () => {
    await page.goto(`${server.webUrl}/login`);
    await page.locator('#username').fill(USERNAME);
    await page.locator('#password').fill(`${PASSWORD}-wrong`);
    await page.locator('[data-testid="password-submit"]').click();
    await page.locator('[data-testid="login-error"]').waitFor();

    expect(await page.locator('#username').inputValue()).toBe(USERNAME);
    expect(await page.locator('#password').inputValue()).toBe('');
  });

  it('signs in with a TOTP code', async () => {
    await enterPassword();
    await page.locator('[data-testid="code-input"]').fill(await nextTotpCode());
    await page.locator('[data-testid="code-submit"]').click();
    await page.waitForURL(/\/hosts$/);
    const binding = (await context.cookies(server.webUrl)).find((cookie) => cookie.name === 'pm_bind');

    expect(await page.locator('[data-testid="user-role"]').innerText()).toBe('Admin');
    expect(binding).toMatchObject({ path: '/', httpOnly: true, secure: true, sameSite: 'Strict' });
  });

  it('adds a security key and signs in with it', async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    await page.goto(`${server.webUrl}/account`);
    await page.locator('#factorPassword').fill(PASSWORD);
    await page.locator('#keyName').fill('virtual key');
    await page.locator('[data-testid="add-security-key"]').click();
    await page.locator('[data-testid="security-key"]').first().waitFor();
    expect(await page.locator('[data-testid="security-key"]').first().innerText()).toContain('virtual key');

    await signOut();
    await enterPassword();
    await page.locator('[data-testid="use-security-key"]').click();
    await page.waitForURL(/\/hosts$/);
    expect(await page.locator('[data-testid="user-name"]').innerText()).toBe(USERNAME);
    await signOut();
  });

  it('accepts a recovery code once', async () => {
    const code = recoveryCodes[0]!;
    await enterPassword();
    await page.locator('[data-testid="use-recovery"]').click();
    await page.locator('[data-testid="code-input"]').fill(code);
    await page.locator('[data-testid="code-submit"]').click();
    await page.waitForURL(/\/hosts$/);
    await signOut();

    await enterPassword();
    await page.locator('[data-testid="use-recovery"]').click();
    await page.locator('[data-testid="code-input"]').fill(code);
    await page.locator('[data-testid="code-submit"]').click();
    await page.locator('[data-testid="login-error"]').waitFor();
    expect(page.url()).toMatch(/\/login/);
  });
});
