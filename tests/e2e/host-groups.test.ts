import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BrowserContext, Page } from 'playwright-core';
import { notifyJobEvent } from '@/lib/realtime/channels';
import { createTestUser, freshTotpCode, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Host groups through the real server: the groups API, Operator scoping over
// REST, the jobs WebSocket and a server action, changes that apply on the next
// request with the same access token, and the Admin and Operator flow in Chromium.

let database: TestDatabase;
let server: ServerProcess;
let browser: TestBrowser;
let adminUser: TestUser;
let operatorUser: TestUser;
let admin: SignedIn;
let operator: SignedIn;
let groupId: string;
const hostIds = new Map<string, string>();
const jobIds = new Map<string, string>();

interface UpgradeResult {
  status: number;
  messages: Record<string, unknown>[];
  closeCode?: number;
}

function call(path: string, session: SignedIn, options: { method?: string; body?: unknown } = {}): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${path}`, { ...options, ca: server.caCertPem, authorization: session.bearer });
}

/** Row counts that a rejected Operator request must leave unchanged. */
async function counts() {
  const [row] = await database.sql<{ hosts: number; removed: number; jobs: number; job_hosts: number; host_members: number; user_members: number }[]>`
    select (select count(*)::int from hosts) as hosts,
      (select count(*)::int from hosts where removed_at is not null) as removed,
      (select count(*)::int from jobs) as jobs,
      (select count(*)::int from job_hosts) as job_hosts,
      (select count(*)::int from host_group_members) as host_members,
      (select count(*)::int from user_group_members) as user_members`;
  return row!;
}

async function insertHost(hostname: string): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`
    insert into hosts (hostname, status, inventory_at, last_seen_at, pending_count, security_count, os_name, os_version)
    values (${hostname}, 'online', now(), now(), 1, 1, 'Debian GNU/Linux', '12') returning id`;
  hostIds.set(hostname, row!.id);
  return row!.id;
}

async function insertJob(name: string, hostname: string, status: string): Promise<string> {
  const hostId = hostIds.get(hostname)!;
  const [job] = await database.sql<{ id: string }[]>`
    insert into jobs (action, status, timeout_seconds, created_by, deadline_at, finished_at)
    values ('refresh', ${status}, 600, 'test', now() + interval '1 hour', ${status === 'succeeded' ? new Date().toISOString() : null})
    returning id`;
  await database.sql`insert into job_hosts (job_id, host_id, status) values (${job!.id}, ${hostId}, ${status === 'succeeded' ? 'succeeded' : 'running'})`;
  await database.sql`insert into job_output (job_id, host_id, seq, stream, line) values (${job!.id}, ${hostId}, 0, 'stdout', ${`line of ${name}`})`;
  jobIds.set(name, job!.id);
  return job!.id;
}

async function issueTicket(session: SignedIn): Promise<string> {
  const response = await requestJson(`${server.webUrl}/api/v1/ws/tickets`, { method: 'POST', ca: server.caCertPem, cookie: session.cookie });
  expect(response.status).toBe(201);
  return (response.body as { ticket: string }).ticket;
}

/** Opens the jobs WebSocket; `onOpen` runs once the upgrade succeeded. */
function openJobsSocket(jobId: string, ticket: string, onOpen?: () => Promise<void>): Promise<UpgradeResult> {
  const url = new URL('/api/v1/ws/jobs', server.webUrl.replace(/^https:/, 'wss:'));
  url.searchParams.set('job', jobId);
  url.searchParams.set('ticket', ticket);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: server.caCertPem, origin: server.webUrl });
    const messages: Record<string, unknown>[] = [];
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, messages });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => void onOpen?.().catch(reject));
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.on('close', (code) => resolve({ status: 101, messages, closeCode: code }));
    ws.on('error', (error) => reject(error));
  });
}

async function setOperatorGroups(groupIds: string[]): Promise<void> {
  const response = await call(`/api/v1/users/${operatorUser.id}/groups`, admin, { method: 'PUT', body: { groupIds } });
  expect(response.status, response.text).toBe(200);
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  adminUser = await createTestUser(database.db, { role: 'admin', username: 'groups-admin' });
  operatorUser = await createTestUser(database.db, { role: 'operator', username: 'groups-operator' });
  admin = await signIn(server, adminUser);
  operator = await signIn(server, operatorUser);

  await insertHost('inside-1');
  await insertHost('outside-1');
  await insertJob('inside', 'inside-1', 'succeeded');
  await insertJob('outside', 'outside-1', 'succeeded');
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  // Last, because it fails the file when a page reported a policy violation.
  await browser?.close();
});

describe('groups API', () => {
  it('creates, renames and fills a group', async () => {
    const created = await call('/api/v1/groups', admin, { body: { name: 'api group' } });
    expect(created.status, created.text).toBe(201);
    groupId = (created.body as { id: string }).id;
    expect(created.headers.location).toBe(`/api/v1/groups/${groupId}`);

    const renamed = await call(`/api/v1/groups/${groupId}`, admin, { method: 'PATCH', body: { name: 'Inside', description: 'hosts the Operator may patch' } });
    expect(renamed.status, renamed.text).toBe(204);
    const hosts = await call(`/api/v1/groups/${groupId}/hosts`, admin, { method: 'PUT', body: { hostIds: [hostIds.get('inside-1')] } });
    expect(hosts.body).toEqual({ added: 1, removed: 0 });
    await setOperatorGroups([groupId]);

    const detail = await call(`/api/v1/groups/${groupId}`, admin);
    expect(detail.body).toMatchObject({
      name: 'Inside',
      description: 'hosts the Operator may patch',
      hosts: [{ hostname: 'inside-1' }],
      users: [{ username: 'groups-operator', role: 'operator' }],
    });
    const list = await call('/api/v1/groups', admin);
    expect((list.body as { items: { name: string; hostCount: number; userCount: number }[] }).items).toEqual([
      expect.objectContaining({ name: 'Inside', hostCount: 1, userCount: 1 }),
    ]);
  });

  it('sets a host groups and deletes a group', async () => {
    const other = await call('/api/v1/groups', admin, { body: { name: 'short-lived' } });
    const otherId = (other.body as { id: string }).id;
    const assigned = await call(`/api/v1/hosts/${hostIds.get('outside-1')}/groups`, admin, { method: 'PUT', body: { groupIds: [otherId] } });
    expect(assigned.status, assigned.text).toBe(200);
    expect((assigned.body as { groups: { name: string }[] }).groups.map((group) => group.name)).toEqual(['short-lived']);

    const deleted = await call(`/api/v1/groups/${otherId}`, admin, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await call(`/api/v1/groups/${otherId}`, admin)).status).toBe(404);
    expect((await call(`/api/v1/hosts/${hostIds.get('outside-1')}`, admin)).body).toMatchObject({ groups: [] });
  });

  it('names the field of invalid input', async () => {
    const empty = await call('/api/v1/groups', admin, { body: { name: ' ' } });
    const duplicate = await call('/api/v1/groups', admin, { body: { name: 'INSIDE' } });
    const badIds = await call(`/api/v1/users/${operatorUser.id}/groups`, admin, { method: 'PUT', body: { groupIds: 'all' } });

    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { code: 'invalid_input', field: 'name', message: 'name: enter a group name' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ error: { field: 'name' } });
    expect(badIds.status).toBe(400);
    expect(badIds.body).toMatchObject({ error: { field: 'groupIds', message: 'groupIds: expected a list of group ids' } });
  });

  it('rejects Operators', async () => {
    const before = await counts();

    expect((await call('/api/v1/groups', operator)).status).toBe(403);
    expect((await call('/api/v1/groups', operator, { body: { name: 'mine' } })).status).toBe(403);
    expect((await call(`/api/v1/groups/${groupId}/hosts`, operator, { method: 'PUT', body: { hostIds: [hostIds.get('outside-1')] } })).status).toBe(403);
    expect((await call(`/api/v1/users/${operatorUser.id}/groups`, operator, { method: 'PUT', body: { groupIds: [] } })).status).toBe(403);
    const hostGroups = await call(`/api/v1/hosts/${hostIds.get('inside-1')}/groups`, operator, { method: 'PUT', body: { groupIds: [] } });
    expect(hostGroups.status).toBe(403);
    expect(await counts()).toEqual(before);
  });
});

describe('Operator over REST', () => {
  it('lists only the group hosts and jobs', async () => {
    const hosts = await call('/api/v1/hosts', operator);
    const jobs = await call('/api/v1/jobs', operator);
    const dashboard = await call('/api/v1/reports/dashboard', operator);

    expect((hosts.body as { items: { hostname: string; groups: string[] }[] }).items).toEqual([
      expect.objectContaining({ hostname: 'inside-1', groups: ['Inside'] }),
    ]);
    expect((jobs.body as { items: { id: string }[] }).items.map((job) => job.id)).toEqual([jobIds.get('inside')]);
    expect((dashboard.body as { hosts: { hosts: number } }).hosts.hosts).toBe(1);
  });

  it('reads an out-of-group host and job as not found', async () => {
    const host = await call(`/api/v1/hosts/${hostIds.get('outside-1')}`, operator);
    const job = await call(`/api/v1/jobs/${jobIds.get('outside')}`, operator);

    expect(host.status).toBe(404);
    expect(host.body).toEqual({ error: { code: 'not_found', message: 'host not found' } });
    expect(job.status).toBe(404);
    expect((await call(`/api/v1/jobs/${jobIds.get('inside')}`, operator)).status).toBe(200);
  });

  it('creates no job on an out-of-group host', async () => {
    const before = await counts();

    const response = await call('/api/v1/jobs', operator, { body: { hostIds: [hostIds.get('outside-1')], action: 'refresh' } });

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'not_found', field: 'hostIds' } });
    expect(await counts()).toEqual(before);
  });

  it('removes no host', async () => {
    const before = await counts();

    expect((await call(`/api/v1/hosts/${hostIds.get('outside-1')}`, operator, { method: 'DELETE' })).status).toBe(403);
    expect((await call(`/api/v1/hosts/${hostIds.get('inside-1')}`, operator, { method: 'DELETE' })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('exports only visible rows', async () => {
    const jobsCsv = await call('/api/v1/reports/jobs.csv', operator);
    const complianceCsv = await call('/api/v1/reports/compliance.csv', operator);

    expect(jobsCsv.status).toBe(200);
    expect(jobsCsv.text).toContain('inside-1');
    expect(jobsCsv.text).not.toContain('outside-1');
    expect(complianceCsv.text.split('\r\n').filter((line) => line.includes(',group,'))).toEqual([expect.stringMatching(/,Inside$/)]);
  });
});

describe('Operator on the jobs WebSocket', () => {
  it('gets 404 for an out-of-group job', async () => {
    const result = await openJobsSocket(jobIds.get('outside')!, await issueTicket(operator));

    expect(result.status).toBe(404);
    expect(result.messages).toEqual([]);
  });

  it('streams an own job', async () => {
    const result = await openJobsSocket(jobIds.get('inside')!, await issueTicket(operator));

    expect(result.status).toBe(101);
    expect(result.messages).toContainEqual(expect.objectContaining({ type: 'output', line: 'line of inside' }));
  });

  it('closes an open stream after group removal', async () => {
    const jobId = await insertJob('running', 'inside-1', 'running');

    const result = await openJobsSocket(jobId, await issueTicket(operator), async () => {
      await setOperatorGroups([]);
      await database.sql`insert into job_output (job_id, host_id, seq, stream, line) values (${jobId}, ${hostIds.get('inside-1')!}, 1, 'stdout', 'hidden line')`;
      await notifyJobEvent(database.db, { kind: 'output', jobId });
    });
    await setOperatorGroups([groupId]);

    expect(result.closeCode).toBe(1008);
    expect(result.messages).not.toContainEqual(expect.objectContaining({ line: 'hidden line' }));
  });
});

describe('access changes with the same access token', () => {
  it('applies group removal on the next request', async () => {
    expect((await call(`/api/v1/hosts/${hostIds.get('inside-1')}`, operator)).status).toBe(200);

    await setOperatorGroups([]);
    const hidden = await call(`/api/v1/hosts/${hostIds.get('inside-1')}`, operator);
    await setOperatorGroups([groupId]);

    expect(hidden.status).toBe(404);
    expect((await call(`/api/v1/hosts/${hostIds.get('inside-1')}`, operator)).status).toBe(200);
  });

  it('applies demotion on the next request', async () => {
    const secondUser = await createTestUser(database.db, { role: 'admin' });
    const second = await signIn(server, secondUser);
    expect((await call(`/api/v1/hosts/${hostIds.get('outside-1')}`, second)).status).toBe(200);

    const demoted = await call(`/api/v1/users/${secondUser.id}`, admin, { method: 'PATCH', body: { role: 'operator' } });
    expect(demoted.status, demoted.text).toBe(204);

    expect((await call(`/api/v1/hosts/${hostIds.get('outside-1')}`, second)).status).toBe(404);
    expect((await call('/api/v1/hosts', second)).body).toMatchObject({ total: 0 });
    expect((await call('/api/v1/groups', second)).status).toBe(403);
  });
});

describe('console in Chromium', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  async function signInInBrowser(user: TestUser): Promise<Page> {
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${server.webUrl}/hosts`);
    await page.waitForURL(/\/login\?returnTo=%2Fhosts$/);
    await page.locator('#username').fill(user.username);
    await page.locator('#password').fill(user.password);
    await page.locator('[data-testid="password-submit"]').click();
    await page.locator('[data-testid="code-input"]').fill(await freshTotpCode(user.totpSecret));
    await page.locator('[data-testid="code-submit"]').click();
    await page.waitForURL(/\/hosts$/);
    return page;
  }

  it('Admin sets up a group for an Operator', async () => {
    await insertHost('browser-host');
    const viewer = await createTestUser(database.db, { role: 'operator', username: 'browser-operator' });
    const adminPage = await signInInBrowser(adminUser);

    await adminPage.goto(`${server.webUrl}/admin/groups`);
    await adminPage.locator('#group-name').fill('Browser group');
    await adminPage.locator('[data-testid="create-group-submit"]').click();
    await adminPage.locator('[data-testid="group-row"][data-group-name="Browser group"] a').click();
    await adminPage.waitForURL(/\/admin\/groups\/[0-9a-f-]{36}$/);
    await adminPage.locator(`[data-testid="group-host-choices"] input[value="${hostIds.get('browser-host')}"]`).check();
    await adminPage.locator('[data-testid="group-hosts-submit"]').click();
    await adminPage.locator('[data-testid="group-hosts-ok"]').waitFor();

    await adminPage.goto(`${server.webUrl}/admin/users`);
    const assignment = adminPage.locator('[data-testid="user-groups"][data-username="browser-operator"]');
    await assignment.locator('label', { hasText: 'Browser group' }).locator('input').check();
    await assignment.locator('[data-testid="user-groups-browser-operator-submit"]').click();
    await assignment.locator('[data-testid="user-groups-browser-operator-ok"]').waitFor();
    await context.close();

    const viewerPage = await signInInBrowser(viewer);
    const rows = viewerPage.locator('[data-testid="host-row"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-host-id')).toBe(hostIds.get('browser-host'));
    expect(await rows.first().locator('[data-testid="host-groups"]').innerText()).toBe('Browser group');

    const hidden = await viewerPage.goto(`${server.webUrl}/hosts/${hostIds.get('outside-1')}`);
    expect(hidden?.status()).toBe(404);
    await context.close();
  }, 120_000);

  it('rejects an out-of-group host in the job form', async () => {
    const before = await counts();
    const operatorPage = await signInInBrowser(operatorUser);

    await operatorPage.goto(`${server.webUrl}/jobs/new?host=${hostIds.get('outside-1')}`);
    expect(await operatorPage.content()).not.toContain('outside-1');
    await operatorPage.evaluate((id) => {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'hostIds';
      input.value = id;
      document.querySelector('[data-testid="job-form"]')!.append(input);
    }, hostIds.get('outside-1')!);
    await operatorPage.locator('[data-testid="start-job"]').click();
    const error = operatorPage.locator('[data-testid="error-hostIds"]');
    await error.waitFor();

    expect(await error.innerText()).toContain('host not found');
    expect(operatorPage.url()).toMatch(/\/jobs\/new/);
    expect(await counts()).toEqual(before);
    await context.close();
  }, 120_000);

  it('shows host groups to an Admin on the host page', async () => {
    const adminPage = await signInInBrowser(adminUser);

    await adminPage.goto(`${server.webUrl}/hosts/${hostIds.get('outside-1')}`);
    await adminPage.locator('[data-testid="host-group-choices"] label', { hasText: 'Inside' }).locator('input').check();
    await adminPage.locator('[data-testid="host-groups-form-submit"]').click();
    await adminPage.locator('[data-testid="host-groups-form-ok"]').waitFor();
    await adminPage.reload();

    expect(await adminPage.locator('[data-testid="host-groups"]').innerText()).toContain('Inside');
    expect((await call(`/api/v1/hosts/${hostIds.get('outside-1')}`, operator)).status).toBe(200);
    await context.close();
  }, 120_000);

  it('narrows the host list by the chosen filters', async () => {
    const adminPage = await signInInBrowser(adminUser);
    const rows = adminPage.locator('[data-testid="host-row"]');
    const total = adminPage.locator('[data-testid="hosts-total"]');
    const apply = adminPage.locator('form[role="search"] button[type="submit"]');
    await rows.first().waitFor();
    expect(Number(await total.innerText())).toBeGreaterThan(1);

    await adminPage.locator('#hosts-group').selectOption({ label: 'Browser group' });
    await apply.click();
    await adminPage.waitForURL(/[?&]group=[0-9a-f-]{36}/);

    expect(await total.innerText()).toBe('1');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-host-id')).toBe(hostIds.get('browser-host'));
    expect(await adminPage.locator('#hosts-group option:checked').innerText()).toBe('Browser group');

    await adminPage.locator('#hosts-reboot').selectOption('not-required');
    await apply.click();
    await adminPage.waitForURL(/[?&]reboot=not-required/);

    expect(await total.innerText()).toBe('0');
    expect(await rows.count()).toBe(0);
    expect(new URL(adminPage.url()).searchParams.get('group')).toBe(await adminPage.locator('#hosts-group').inputValue());
    await context.close();
  }, 120_000);
});
