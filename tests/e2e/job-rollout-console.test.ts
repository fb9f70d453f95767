import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSessionCookies, createTestUser, signIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { launchBrowser, type TestBrowser } from '../helpers/browser';

// Browser end to end in Debian's Chromium for the rollout parts of the console: the
// Admin page of approved commands, field errors of the job form, and cancel on the job
// page. The hosts are database rows without agents, so the job never starts on them.

let database: TestDatabase;
let server: ServerProcess;
let browser: TestBrowser;
let page: Page;
let hostId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  const session = await signIn(server, await createTestUser(database.db, { role: 'admin', username: 'rollout-admin' }));
  const [host] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status) values ('rollout-web-1', 'offline') returning id`;
  hostId = host!.id;

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

describe('rollout console in Chromium', () => {
  it('approves a command on the Admin page', async () => {
    await page.goto(`${server.webUrl}/admin/commands`);
    await page.locator('#command-name').fill('Reload web server');
    await page.locator('#command-argv').fill('/usr/bin/systemctl\nreload\nnginx');
    await page.locator('[data-testid="command-form"] button[type="submit"]').click();

    const row = page.locator('[data-testid="command-row"]', { hasText: 'Reload web server' });
    await row.waitFor();
    expect(await row.innerText()).toContain('"/usr/bin/systemctl" "reload" "nginx"');
  });

  it('command form names an invalid program', async () => {
    await page.goto(`${server.webUrl}/admin/commands`);
    await page.locator('#command-name').fill('Relative');
    await page.locator('#command-argv').fill('systemctl');
    await page.locator('[data-testid="command-form"] button[type="submit"]').click();

    const error = page.locator('[data-testid="error-argv"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('absolute path');
  });

  it('job form names the invalid canary field', async () => {
    await page.goto(`${server.webUrl}/jobs/new`);
    await page.locator(`input[name="hostIds"][value="${hostId}"]`).check();
    await page.locator('#job-canary').fill('150');
    await page.locator('select[name="canaryUnit"]').selectOption('percent');
    await page.locator('[data-testid="start-job"]').click();

    const error = page.locator('[data-testid="error-canary"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('at most 100');
    expect(page.url()).toMatch(/\/jobs\/new/);
  });

  it('job form reports a filter that matches nothing', async () => {
    await page.goto(`${server.webUrl}/jobs/new`);
    await page.locator('input[name="scope"][value="filter"]').check();
    await page.locator('#filter-name').fill('db-*');
    await page.locator('[data-testid="start-job"]').click();

    const error = page.locator('[data-testid="error-filter"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('no host matches');
  });

  it('cancels a job from its page', async () => {
    await page.goto(`${server.webUrl}/jobs/new`);
    await page.locator('input[name="scope"][value="filter"]').check();
    await page.locator('#filter-name').fill('rollout-*');
    await page.locator('#job-max-parallel').fill('1');
    await page.locator('select[name="preCommandId"]').selectOption({ label: 'Reload web server' });
    await page.locator('[data-testid="start-job"]').click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    expect(await page.locator('dd', { hasText: 'before: Reload web server' }).count()).toBe(1);

    await page.locator('[data-testid="cancel-job"]').click();

    await page.locator('[data-testid="job-status"][data-status="cancelled"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="job-host-status"]').first().getAttribute('data-status')).toBe('cancelled');
    expect(await page.locator('[data-testid="cancel-job"]').count()).toBe(0);
  });
});
