import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSessionCookies, createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { launchBrowser, type TestBrowser } from '../helpers/browser';

// The real server on loopback with its own database: schedules and maintenance
// windows through the REST API, as an Admin and as an Operator limited to one group.

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;
let operator: SignedIn;
let operatorId: string;
let webHost: string;
let dbHost: string;
let webGroup: string;
let dbGroup: string;
let browser: TestBrowser | undefined;

interface ScheduleBody {
  id: string;
  name: string;
  nextRunAt: string | null;
  enabled: boolean;
}

function call(user: SignedIn, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${path}`, { method, body, ca: server.caCertPem, authorization: user.bearer });
}

async function insertHost(hostname: string): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status) values (${hostname}, 'online') returning id`;
  return row!.id;
}

async function insertGroup(name: string, hostId: string): Promise<string> {
  const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values (${name}) returning id`;
  await database.sql`insert into host_group_members (group_id, host_id) values (${group!.id}, ${hostId})`;
  return group!.id;
}

async function scheduleCount(): Promise<number> {
  const [row] = await database.sql<{ count: number }[]>`select count(*)::int as count from schedules`;
  return row!.count;
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  webHost = await insertHost('web-1');
  dbHost = await insertHost('db-1');
  webGroup = await insertGroup('web', webHost);
  dbGroup = await insertGroup('db', dbHost);

  const adminUser = await createTestUser(database.db, { role: 'admin' });
  const operatorUser = await createTestUser(database.db, { role: 'operator' });
  await database.sql`insert into user_group_members (group_id, user_id) values (${webGroup}, ${operatorUser.id})`;
  admin = await signIn(server, adminUser);
  operator = await signIn(server, operatorUser);
  operatorId = operatorUser.id;
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  // Last, because it fails the file when a page reported a policy violation.
  await browser?.close();
});

describe('schedules API', () => {
  it('POST, GET, PATCH and DELETE /api/v1/schedules as an Admin', async () => {
    const created = await call(admin, 'POST', '/api/v1/schedules', {
      name: 'nightly db',
      kind: 'recurring',
      cronExpression: '0 2 * * *',
      timeZone: 'Europe/Berlin',
      jobTemplate: { hostIds: [dbHost], action: 'security' },
    });
    expect(created.status, created.text).toBe(201);
    const schedule = created.body as ScheduleBody;
    expect(created.headers.location).toBe(`/api/v1/schedules/${schedule.id}`);
    expect(schedule.nextRunAt).not.toBeNull();

    const list = await call(admin, 'GET', '/api/v1/schedules');
    expect(list.status).toBe(200);
    expect((list.body as { items: ScheduleBody[] }).items.map((item) => item.id)).toContain(schedule.id);

    const patched = await call(admin, 'PATCH', `/api/v1/schedules/${schedule.id}`, { enabled: false });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, nextRunAt: null });

    const detail = await call(admin, 'GET', `/api/v1/schedules/${schedule.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: schedule.id, enabled: false, runs: [] });

    const deleted = await call(admin, 'DELETE', `/api/v1/schedules/${schedule.id}`);
    expect(deleted.status).toBe(204);
    expect((await call(admin, 'GET', `/api/v1/schedules/${schedule.id}`)).status).toBe(404);

    const actions = await database.sql<{ action: string }[]>`select action from audit_log where target_id = ${schedule.id} order by id`;
    expect(actions.map((row) => row.action)).toEqual(['schedule.create', 'schedule.update', 'schedule.delete']);
  });

  it('POST /api/v1/schedules names the invalid field', async () => {
    const response = await call(admin, 'POST', '/api/v1/schedules', {
      name: 'bad',
      kind: 'recurring',
      cronExpression: '0 2 * *',
      jobTemplate: { hostIds: [dbHost], action: 'security' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', field: 'cronExpression' } });
  });

  it('POST /api/v1/schedules refuses an Operator hosts outside their groups', async () => {
    const before = await scheduleCount();
    const response = await call(operator, 'POST', '/api/v1/schedules', {
      name: 'reach too far',
      kind: 'recurring',
      cronExpression: '0 2 * * *',
      jobTemplate: { hostIds: [webHost, dbHost], action: 'security' },
    });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'not_found', field: 'jobTemplate.hostIds' } });
    expect(await scheduleCount()).toBe(before);
  });

  it('GET /api/v1/schedules/:id hides other groups from an Operator', async () => {
    const own = await call(operator, 'POST', '/api/v1/schedules', {
      name: 'web weekly',
      kind: 'recurring',
      cronExpression: '0 3 * * 0',
      timeZone: 'UTC',
      jobTemplate: { hostIds: [webHost], action: 'upgrade-all' },
    });
    expect(own.status, own.text).toBe(201);
    const foreign = await call(admin, 'POST', '/api/v1/schedules', {
      name: 'db weekly',
      kind: 'once',
      runAt: '2099-01-01T00:00:00Z',
      jobTemplate: { hostIds: [dbHost], action: 'refresh' },
    });
    expect(foreign.status, foreign.text).toBe(201);
    const foreignId = (foreign.body as ScheduleBody).id;

    const list = await call(operator, 'GET', '/api/v1/schedules');
    expect((list.body as { items: ScheduleBody[] }).items.map((item) => item.name)).toEqual(['web weekly']);
    expect((await call(operator, 'GET', `/api/v1/schedules/${foreignId}`)).status).toBe(404);
    expect((await call(operator, 'DELETE', `/api/v1/schedules/${foreignId}`)).status).toBe(404);
    expect((await call(admin, 'GET', `/api/v1/schedules/${foreignId}`)).status).toBe(200);
  });
});

describe('maintenance windows API', () => {
  const window = { daysOfWeek: [6], startTime: '22:00', durationMinutes: 240, timeZone: 'Europe/Berlin' };

  it('PUT and GET /api/v1/groups/:id/maintenance-windows as an Admin', async () => {
    const saved = await call(admin, 'PUT', `/api/v1/groups/${webGroup}/maintenance-windows`, { windows: [window] });
    expect(saved.status, saved.text).toBe(200);

    const read = await call(admin, 'GET', `/api/v1/groups/${webGroup}/maintenance-windows`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ groupId: webGroup, groupName: 'web', windows: [window] });

    const [audit] = await database.sql<{ action: string }[]>`select action from audit_log where target_id = ${webGroup}`;
    expect(audit?.action).toBe('maintenance_window.update');
  });

  it('PUT /api/v1/groups/:id/maintenance-windows rejects an Operator', async () => {
    const response = await call(operator, 'PUT', `/api/v1/groups/${webGroup}/maintenance-windows`, { windows: [] });
    expect(response.status).toBe(403);
    expect((await call(admin, 'GET', `/api/v1/groups/${webGroup}/maintenance-windows`)).body).toMatchObject({ windows: [window] });
  });

  it('PUT /api/v1/groups/:id/maintenance-windows names the invalid field', async () => {
    const response = await call(admin, 'PUT', `/api/v1/groups/${dbGroup}/maintenance-windows`, { windows: [{ ...window, durationMinutes: 20_000 }] });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'windows.0.durationMinutes' } });
  });

  it('GET /api/v1/groups/:id/maintenance-windows is Admin only', async () => {
    // The request gate keeps Operators out of the whole group API, their own groups included.
    expect((await call(operator, 'GET', `/api/v1/groups/${webGroup}/maintenance-windows`)).status).toBe(403);
    expect((await call(operator, 'GET', `/api/v1/groups/${dbGroup}/maintenance-windows`)).status).toBe(403);
  });
});

describe('schedule console pages', () => {
  function page(user: SignedIn, path: string): Promise<JsonResponse> {
    return requestJson(`${server.webUrl}${path}`, { ca: server.caCertPem, cookie: user.cookie });
  }

  it('/schedules lists the Operator schedule only', async () => {
    const response = await page(operator, '/schedules');
    expect(response.status).toBe(200);
    expect(response.text).toContain('web weekly');
    expect(response.text).not.toContain('db weekly');
  });

  it('/schedules/new shows the form and preview', async () => {
    const response = await page(operator, '/schedules/new');
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-testid="schedule-form"');
    expect(response.text).toContain('Europe/Berlin');
  });

  it('/admin/maintenance-windows lists groups for Admins', async () => {
    const response = await page(admin, '/admin/maintenance-windows');
    expect(response.status).toBe(200);
    expect(response.text).toContain('data-testid="maintenance-window-editor"');
  });

  it('/admin/maintenance-windows is not found for Operators', async () => {
    const response = await page(operator, '/admin/maintenance-windows');

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('This page could not be found');
    expect(response.text).not.toContain('maintenance-window-editor');
    expect(response.text).toContain('data-testid="user-name"');
  });
});

describe('schedule form in Chromium', () => {
  /** Opens a tab signed in as the Operator, and starts the browser on first use. */
  async function operatorTab() {
    browser ??= await launchBrowser();
    const context = await browser.newContext();
    await context.addCookies(browserSessionCookies(operator, server.webUrl));
    return context.newPage();
  }

  it('previews runs and saves a schedule', async () => {
    const tab = await operatorTab();
    await tab.goto(`${server.webUrl}/schedules/new`);

    await tab.locator('#name').fill('browser nightly');
    await tab.locator('#timeZone').selectOption('Europe/Berlin');
    await tab.locator('#cronExpression').fill('0 2 * * *');
    await expect.poll(() => tab.locator('[data-testid="run-preview"] li').count()).toBe(5);
    expect(await tab.locator('[data-testid="run-preview"] li').first().innerText()).toMatch(/02:00 .*\((00|01):00 UTC\)/);

    await tab.locator('#cronExpression').fill('0 2 * *');
    expect(await tab.locator('[data-testid="preview-problem"]').innerText()).toContain('five fields');

    await tab.locator('#cronExpression').fill('0 2 * * *');
    await tab.getByText('Advanced: job request as JSON').click();
    await tab.getByLabel('Use this JSON instead of the job fields').check();
    await tab.locator('#jobTemplate').fill(JSON.stringify({ hostIds: [dbHost], action: 'security' }));
    await tab.getByRole('button', { name: 'Save schedule' }).click();
    expect(await tab.locator('[data-testid="error-jobTemplate"]').innerText()).toContain('jobTemplate.hostIds: host not found');

    await tab.locator('#jobTemplate').fill(JSON.stringify({ hostIds: [webHost], action: 'security' }));
    await tab.getByRole('button', { name: 'Save schedule' }).click();
    await tab.waitForURL(/\/schedules\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    expect(await tab.locator('h1').innerText()).toBe('browser nightly');

    const [row] = await database.sql<{ time_zone: string; cron_expression: string; job_template: unknown }[]>`
      select time_zone, cron_expression, job_template from schedules where name = 'browser nightly'`;
    expect(row).toEqual({ time_zone: 'Europe/Berlin', cron_expression: '0 2 * * *', job_template: { hostIds: [webHost], action: 'security' } });
  });

  it('saves a group chosen by name with options', async () => {
    const tab = await operatorTab();
    await tab.goto(`${server.webUrl}/schedules/new`);
    await tab.locator('#name').fill('web dry run');
    await tab.locator('#cronExpression').fill('30 3 * * 1');

    await tab.getByLabel('Whole groups').check();
    await tab.getByRole('button', { name: 'Save schedule' }).click();
    expect(await tab.locator('[data-testid="error-groupIds"]').innerText()).toBe('choose at least one group');

    await tab.getByRole('checkbox', { name: /^web\b/ }).check();
    await tab.getByLabel(/^Dry run/).check();
    await tab.locator('#job-reboot-policy').selectOption('if-required');
    await tab.getByRole('button', { name: 'Save schedule' }).click();
    await tab.waitForURL(/\/schedules\/[0-9a-f-]{36}$/, { timeout: 30_000 });

    const [row] = await database.sql<{ kind: string; cron_expression: string; job_template: unknown }[]>`
      select kind, cron_expression, job_template from schedules where name = 'web dry run'`;
    expect(row).toEqual({
      kind: 'recurring',
      cron_expression: '30 3 * * 1',
      job_template: { groupIds: [webGroup], action: 'security', packages: [], dryRun: true, rebootPolicy: 'if-required' },
    });
  });

  it('edit page fills the job fields', async () => {
    const [schedule] = await database.sql<{ id: string }[]>`select id from schedules where name = 'web dry run'`;
    const tab = await operatorTab();
    await tab.goto(`${server.webUrl}/schedules/${schedule!.id}`);

    expect(await tab.getByLabel('Whole groups').isChecked()).toBe(true);
    expect(await tab.getByRole('checkbox', { name: /^web\b/ }).isChecked()).toBe(true);
    expect(await tab.getByLabel(/^Dry run/).isChecked()).toBe(true);
    expect(await tab.locator('#job-reboot-policy').inputValue()).toBe('if-required');
    expect(await tab.getByLabel('Use this JSON instead of the job fields').isChecked()).toBe(false);
  });

  it('switches to Once in Asia/Kolkata', async () => {
    const [schedule] = await database.sql<{ id: string }[]>`select id from schedules where name = 'web dry run'`;
    const tab = await operatorTab();
    const warnings: string[] = [];
    tab.on('console', (message) => warnings.push(message.text()));
    await tab.goto(`${server.webUrl}/schedules/${schedule!.id}`);

    const zones = await tab.locator('#timeZone option').allTextContents();
    expect(zones).toContain('Asia/Kolkata');
    expect(zones).not.toContain('Asia/Calcutta');

    await tab.getByLabel('Once').check();
    expect(await tab.locator('#runAt').inputValue()).toBe('');
    expect(warnings.filter((text) => text.includes('does not conform'))).toEqual([]);

    // 02:30 on 8 March 2099 does not exist in New York: the clocks go from 02:00 to 03:00.
    await tab.locator('#timeZone').selectOption('America/New_York');
    await tab.locator('#runAt').fill('2099-03-08T02:30');
    await tab.getByRole('button', { name: 'Save schedule' }).click();
    await tab.locator('[data-testid="error-runAt"]').waitFor();
    expect(await tab.locator('[data-testid="error-runAt"]').innerText()).toBe(
      '2099-03-08 02:30 does not exist in America/New_York: the clocks skip it for daylight saving time. Choose another time.',
    );

    await tab.locator('#timeZone').selectOption('Asia/Kolkata');
    await tab.locator('#runAt').fill('2099-01-15T02:00');
    await expect.poll(() => tab.locator('[data-testid="run-preview"] li').count()).toBe(1);
    expect(await tab.locator('[data-testid="run-preview"] li').innerText()).toMatch(/02:00 .*\(20:30 UTC\)/);
    await tab.getByRole('button', { name: 'Save schedule' }).click();

    const saved = async () => {
      const [row] = await database.sql<{ kind: string; run_at: string | null; time_zone: string; cron_expression: string | null }[]>`
        select kind, run_at, time_zone, cron_expression from schedules where id = ${schedule!.id}`;
      return { ...row, run_at: row?.run_at ? new Date(row.run_at).toISOString() : null };
    };
    await expect.poll(saved, { timeout: 30_000 }).toEqual({ kind: 'once', run_at: '2099-01-14T20:30:00.000Z', time_zone: 'Asia/Kolkata', cron_expression: null });
    const [template] = await database.sql<{ job_template: unknown }[]>`select job_template from schedules where id = ${schedule!.id}`;
    expect(template?.job_template).toEqual({ groupIds: [webGroup], action: 'security', packages: [], dryRun: true, rebootPolicy: 'if-required' });
  });

  it('edits a template the fields cannot show as JSON', async () => {
    const stored = { hostIds: [webHost], action: 'security', retired: true };
    const [schedule] = await database.sql<{ id: string }[]>`
      insert into schedules (name, kind, cron_expression, time_zone, job_template, enabled, owner_user_id, created_by)
      values ('older template', 'recurring', '0 4 * * *', 'Asia/Calcutta', ${JSON.stringify(stored)}::jsonb, false, ${operatorId}, 'test')
      returning id`;
    const tab = await operatorTab();
    await tab.goto(`${server.webUrl}/schedules/${schedule!.id}`);

    expect(await tab.locator('#timeZone').inputValue()).toBe('Asia/Calcutta');
    expect(await tab.getByLabel('Use this JSON instead of the job fields').isChecked()).toBe(true);
    expect(await tab.locator('[data-testid="job-fields"]').isHidden()).toBe(true);
    expect(JSON.parse(await tab.locator('#jobTemplate').inputValue())).toEqual(stored);

    await tab.locator('#jobTemplate').fill(JSON.stringify({ hostIds: [webHost], action: 'refresh' }));
    await tab.getByRole('button', { name: 'Save schedule' }).click();
    const template = async () => (await database.sql<{ job_template: unknown }[]>`select job_template from schedules where id = ${schedule!.id}`)[0]?.job_template;
    await expect.poll(template, { timeout: 30_000 }).toEqual({ hostIds: [webHost], action: 'refresh' });
  });
});
