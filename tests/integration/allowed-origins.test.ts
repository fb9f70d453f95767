import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auditLog, hosts, jobHosts, jobs } from '@/lib/db/schema';
import { readNetworkSettings } from '@/lib/net/network-settings';
import { createTestUser, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Two server processes share one database. Settings are saved through the
// first server. The second learns of the change only through the pm_settings
// notification, so its checks show that the change reaches every process.

/** An origin of a page outside the console that the Admin allows and removes again. */
const DASHBOARD = 'https://dashboard.example.test:8443';

let database: TestDatabase;
let first: ServerProcess;
let second: ServerProcess;
let user: TestUser;
let adminOnFirst: SignedIn;
let adminOnSecond: SignedIn;
let jobId: string;

interface ErrorBody {
  error: { code: string; message: string };
}

function putSettings(body: unknown, origin: string | null = null) {
  return requestJson(`${first.webUrl}/api/v1/settings`, {
    method: 'PUT',
    body,
    cookie: adminOnFirst.cookie,
    ca: first.caCertPem,
    headers: origin === null ? {} : { origin },
  });
}

/** Requests a WebSocket ticket, an API write, with the given Origin header. */
function requestTicket(server: ServerProcess, session: SignedIn, origin: string) {
  return requestJson(`${server.webUrl}/api/v1/ws/tickets`, { method: 'POST', ca: server.caCertPem, cookie: session.cookie, headers: { origin } });
}

async function issueTicket(server: ServerProcess, session: SignedIn): Promise<string> {
  const response = await requestTicket(server, session, server.webUrl);
  expect(response.status).toBe(201);
  return (response.body as { ticket: string }).ticket;
}

/** Opens the jobs WebSocket with the given Origin; returns 101 when it opened, else the HTTP status of the rejection. */
function upgradeStatus(server: ServerProcess, ticket: string, origin: string): Promise<number> {
  const url = new URL('/api/v1/ws/jobs', server.webUrl.replace(/^https:/, 'wss:'));
  url.searchParams.set('job', jobId);
  url.searchParams.set('ticket', ticket);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: server.caCertPem, origin });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

/** Retries the upgrade until it returns `expected`; the origin check runs before the ticket is spent, so one ticket serves every 403. */
async function waitForUpgradeStatus(server: ServerProcess, session: SignedIn, origin: string, expected: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  const ticket = await issueTicket(server, session);
  let status = await upgradeStatus(server, ticket, origin);
  while (status !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await upgradeStatus(server, ticket, origin);
  }
  expect(status).toBe(expected);
}

beforeAll(async () => {
  database = await createTestDatabase();
  first = await startServer({ databaseUrl: database.url });
  second = await startServer({ databaseUrl: database.url });
  user = await createTestUser(database.db, { role: 'admin' });
  adminOnFirst = await signIn(first, user);
  adminOnSecond = await signIn(second, user);

  const [host] = await database.db.insert(hosts).values({ hostname: 'origins-host.test' }).returning({ id: hosts.id });
  const [job] = await database.db
    .insert(jobs)
    .values({ action: 'refresh', status: 'succeeded', timeoutSeconds: 600, createdBy: 'test', deadlineAt: new Date(Date.now() + 600_000) })
    .returning({ id: jobs.id });
  jobId = job!.id;
  await database.db.insert(jobHosts).values({ jobId, hostId: host!.id, status: 'succeeded', exitCode: 0 });
}, 300_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await database?.drop();
});

describe('allowed origins setting', () => {
  it('starts with the public URL origin', async () => {
    const response = await requestJson(`${first.webUrl}/api/v1/settings`, { cookie: adminOnFirst.cookie, ca: first.caCertPem });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [], effectiveAllowedOrigins: [first.webUrl] });
    expect(first.output()).toContain('allowed origins loaded');
  });

  it('rejects an invalid origin by index', async () => {
    const response = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [first.webUrl, 'http://dashboard.example.test'] });

    expect(response.status).toBe(400);
    expect((response.body as ErrorBody).error.message).toContain('allowedOrigins[1]: expected an origin such as https://patch.example.com:8443');
    expect((response.body as ErrorBody).error.message).toContain('with the https scheme instead of http');
  });

  it('new origin is accepted at once in every process', async () => {
    expect((await requestTicket(first, adminOnFirst, DASHBOARD)).status).toBe(403);
    expect(await upgradeStatus(first, await issueTicket(first, adminOnFirst), DASHBOARD)).toBe(403);

    const saved = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [first.webUrl, DASHBOARD.toUpperCase()] });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ allowedOrigins: [first.webUrl, DASHBOARD], effectiveAllowedOrigins: [first.webUrl, DASHBOARD] });

    // The saving process reloads before it responds, so no wait is needed there.
    const ticket = await requestTicket(first, adminOnFirst, DASHBOARD);
    expect(ticket.status).toBe(201);
    expect(await upgradeStatus(first, (ticket.body as { ticket: string }).ticket, DASHBOARD)).toBe(101);

    await waitForUpgradeStatus(second, adminOnSecond, DASHBOARD, 101);
    expect((await requestTicket(second, adminOnSecond, DASHBOARD)).status).toBe(201);
  });

  it('removed origin is rejected at once in every process', async () => {
    const saved = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [first.webUrl] });
    expect(saved.status).toBe(200);

    const write = await requestTicket(first, adminOnFirst, DASHBOARD);
    expect(write.status).toBe(403);
    expect((write.body as ErrorBody).error.message).toContain(`origin ${DASHBOARD} is not an allowed origin`);
    expect(await upgradeStatus(first, await issueTicket(first, adminOnFirst), DASHBOARD)).toBe(403);

    await waitForUpgradeStatus(second, adminOnSecond, DASHBOARD, 403);
    expect((await requestTicket(second, adminOnSecond, DASHBOARD)).status).toBe(403);
  });

  it('audit row has old and new lists', async () => {
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'settings.update'), eq(auditLog.targetId, 'security.network')))
      .orderBy(desc(auditLog.id))
      .limit(1);
    const details = row?.details as { old: { allowedOrigins: string[] }; new: { allowedOrigins: string[] } };

    expect(row?.actorId).toBe(user.id);
    expect(details.old.allowedOrigins).toEqual([first.webUrl, DASHBOARD]);
    expect(details.new.allowedOrigins).toEqual([first.webUrl]);
  });

  it('absent field keeps the stored origins', async () => {
    const saved = await putSettings({ ipAllowlist: [], trustedProxies: [] });

    expect(saved.status).toBe(200);
    expect((await readNetworkSettings(database.db)).allowedOrigins).toEqual([first.webUrl]);
  });

  it('rejects dropping the public URL origin', async () => {
    const refused = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [DASHBOARD] });

    expect(refused.status).toBe(409);
    expect((refused.body as ErrorBody).error.message).toContain(`leave out ${first.webUrl}, the origin of the console's public URL`);
    expect((await readNetworkSettings(database.db)).allowedOrigins).toEqual([first.webUrl]);
  });

  it("rejects dropping the request's own origin", async () => {
    expect((await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [first.webUrl, DASHBOARD] })).status).toBe(200);

    const removed = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [first.webUrl] }, DASHBOARD);
    expect(removed.status).toBe(409);
    expect((removed.body as ErrorBody).error.message).toContain(`leave out ${DASHBOARD}, the origin of the page making this change`);

    // An empty list falls back to the public URL origin alone, which leaves the page's origin out too.
    const emptied = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [] }, DASHBOARD);
    expect(emptied.status).toBe(409);
    expect((emptied.body as ErrorBody).error.message).toContain('an empty list falls back');
    expect((await readNetworkSettings(database.db)).allowedOrigins).toEqual([first.webUrl, DASHBOARD]);
  });

  it('empty list falls back to the public URL origin', async () => {
    const saved = await putSettings({ ipAllowlist: [], trustedProxies: [], allowedOrigins: [] }, first.webUrl);

    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ allowedOrigins: [], effectiveAllowedOrigins: [first.webUrl] });
    expect(await upgradeStatus(first, await issueTicket(first, adminOnFirst), DASHBOARD)).toBe(403);
    expect(await upgradeStatus(first, await issueTicket(first, adminOnFirst), first.webUrl)).toBe(101);
  });
});
