import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readNetworkSettings } from '@/lib/net/network-settings';
import { browserSessionCookies, createTestUser, signIn } from '../helpers/auth-session';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startServer, type ServerProcess } from '../helpers/server-process';

// An Admin edits the IP allowlist on the Settings page in Debian's Chromium.
// The browser connects from 127.0.0.1, so a list without it must be rejected.

let database: TestDatabase;
let server: ServerProcess;
let browser: TestBrowser;
let page: Page;

async function saveLists(allowlist: string, proxies = '', origins?: string): Promise<void> {
  await page.goto(`${server.webUrl}/settings/network`);
  await page.locator('#network-allowlist').fill(allowlist);
  await page.locator('#network-proxies').fill(proxies);
  if (origins !== undefined) await page.locator('#network-origins').fill(origins);
  await page.locator('[data-testid="network-save"]').click();
  await page.locator('[data-testid="network-error"], [data-testid="network-saved"]').first().waitFor();
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  const session = await signIn(server, await createTestUser(database.db, { role: 'admin' }));

  browser = await launchBrowser();
  const context = await browser.newContext();
  await context.addCookies(browserSessionCookies(session, server.webUrl));
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  // Last, because it fails the file when a page reported a policy violation.
  await browser?.close();
});

describe('network settings page', () => {
  it('dashboard warns about the empty list', async () => {
    await page.goto(`${server.webUrl}/dashboard`);

    await page.locator('[data-testid="allowlist-warning-banner"]').waitFor();
  });

  it('shows the client address', async () => {
    await page.goto(`${server.webUrl}/settings/network`);

    expect(await page.locator('[data-testid="network-client-address"]').innerText()).toBe('127.0.0.1');
  });

  it('rejects a list that locks out the Admin', async () => {
    await saveLists('192.0.2.0/24');

    expect(await page.locator('[data-testid="network-error"]').innerText()).toContain('would lock you out');
    expect((await readNetworkSettings(database.db)).ipAllowlist).toEqual([]);
  });

  it('rejects a malformed entry by name', async () => {
    await saveLists('127.0.0.0/8\n192.0.2.300');

    expect(await page.locator('[data-testid="network-error"]').innerText()).toContain('"192.0.2.300"');
  });

  it('saves a list that includes the Admin', async () => {
    await saveLists('127.0.0.0/8\n192.0.2.0/24', '10.0.0.5');

    await page.locator('[data-testid="network-saved"]').waitFor();
    expect(await readNetworkSettings(database.db)).toEqual({
      ipAllowlist: ['127.0.0.0/8', '192.0.2.0/24'],
      trustedProxies: ['10.0.0.5'],
      allowedOrigins: [],
    });
    await page.goto(`${server.webUrl}/dashboard`);
    expect(await page.locator('[data-testid="allowlist-warning-banner"]').count()).toBe(0);
  });

  it('rejects an allowed origin with a path', async () => {
    await saveLists('127.0.0.0/8', '', 'https://dashboard.example.test/console');

    expect(await page.locator('[data-testid="network-error"]').innerText()).toContain('allowedOrigins[0]: expected an origin such as');
    expect(await page.locator('#network-origins').getAttribute('aria-invalid')).toBe('true');
    expect((await readNetworkSettings(database.db)).allowedOrigins).toEqual([]);
  });

  it('saves allowed origins and shows those in force', async () => {
    await page.goto(`${server.webUrl}/settings/network`);
    expect(await page.locator('[data-testid="network-effective-origins"]').innerText()).toBe(server.webUrl);

    await saveLists('127.0.0.0/8', '', `${server.webUrl}\nhttps://Dashboard.example.test:8443`);

    await page.locator('[data-testid="network-saved"]').waitFor();
    expect((await readNetworkSettings(database.db)).allowedOrigins).toEqual([server.webUrl, 'https://dashboard.example.test:8443']);
    await page.goto(`${server.webUrl}/settings/network`);
    expect(await page.locator('[data-testid="network-effective-origins"]').innerText()).toBe(
      `${server.webUrl}, https://dashboard.example.test:8443`,
    );
  });
});
