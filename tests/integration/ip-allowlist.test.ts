import fs from 'node:fs';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auditLog, certificates, hosts, jobs } from '@/lib/db/schema';
import { createCsr } from '@/lib/pki/issue-test-client';
import { revocationUrls } from '@/lib/pki/revocation-urls';
import { canonicalSerial } from '@/lib/pki/serial';
import { signAgentCsr } from '@/lib/pki/sign-agent-csr';
import * as x509 from '@/lib/pki/x509';
import { agentExchange } from '../helpers/agent-tls-client';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// The test reaches the server from 127.0.0.1 only. Once 127.0.0.1 is a trusted
// proxy, the X-Forwarded-For header represents distinct clients behind it,
// while the agent still connects directly from 127.0.0.1.
const ADMIN_CLIENT = '192.0.2.10';
const OTHER_CLIENT = '198.51.100.20';

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;

function settingsRequest(body: unknown, client: string | null) {
  return requestJson(`${server.webUrl}/api/v1/settings`, {
    method: 'PUT',
    body,
    cookie: admin.cookie,
    ca: server.caCertPem,
    headers: client ? { 'x-forwarded-for': client } : {},
  });
}

function getHosts(client: string) {
  return requestJson(`${server.webUrl}/api/v1/hosts`, { cookie: admin.cookie, ca: server.caCertPem, headers: { 'x-forwarded-for': client } });
}

/** Creates a host with an active certificate, as enrollment stores them, for a direct agent channel. */
async function enrolledHost(): Promise<{ certPem: string; keyPem: string }> {
  const caKeyPem = fs.readFileSync(path.join(server.dataDir, 'ca', 'ca.key'), 'utf8');
  const [host] = await database.db.insert(hosts).values({ hostname: 'allowlist-host' }).returning({ id: hosts.id });
  const { keyPem, csrPem } = await createCsr();
  const signed = await signAgentCsr({
    caCertPem: server.caCertPem,
    caKeyPem,
    csrPem,
    hostId: host!.id,
    validityDays: 30,
    revocationUrls: revocationUrls(server.webUrl),
  });
  const certificate = new x509.X509Certificate(signed.certPem);
  await database.db.insert(certificates).values({
    hostId: host!.id,
    serial: canonicalSerial(certificate.serialNumber),
    fingerprint: Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex'),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    pem: signed.certPem,
  });
  return { certPem: signed.certPem, keyPem };
}

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('IP allowlist', () => {
  it('empty list warns at start and on the dashboard', async () => {
    expect(server.output()).toContain('the IP allowlist is empty');
    const dashboard = await requestJson(`${server.webUrl}/dashboard`, { cookie: admin.cookie, ca: server.caCertPem });
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('data-testid="allowlist-warning-banner"');
  });

  it('forwarded header ignored without trusted proxy', async () => {
    const saved = await settingsRequest({ ipAllowlist: ['203.0.113.0/24'], trustedProxies: [] }, '203.0.113.5');

    expect(saved.status).toBe(409);
    expect((saved.body as { error: { message: string } }).error.message).toContain('127.0.0.1');
  });

  it('malformed entry and unknown field are rejected', async () => {
    const bad = await settingsRequest({ ipAllowlist: ['192.0.2.0/24', '192.0.2.300'], trustedProxies: [] }, null);
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { message: string } }).error.message).toContain('"192.0.2.300"');

    const extra = await settingsRequest({ ipAllowlist: [], trustedProxies: [], allowAll: true }, null);
    expect(extra.status).toBe(400);
    expect((extra.body as { error: { message: string } }).error.message).toContain('allowAll');
  });

  it('removed address loses its streams, channel and next request', async () => {
    const trusted = await settingsRequest({ ipAllowlist: [], trustedProxies: ['127.0.0.1'] }, null);
    expect(trusted.status).toBe(200);

    const [job] = await database.db
      .insert(jobs)
      .values({ action: 'refresh', timeoutSeconds: 600, createdBy: 'test', deadlineAt: new Date(Date.now() + 3_600_000) })
      .returning({ id: jobs.id });
    const ticket = await requestJson(`${server.webUrl}/api/v1/ws/tickets`, {
      method: 'POST',
      ca: server.caCertPem,
      cookie: admin.cookie,
      headers: { 'x-forwarded-for': OTHER_CLIENT },
    });
    expect(ticket.status).toBe(201);
    const jobSocket = new WebSocket(
      `wss://localhost:${server.webPort}/api/v1/ws/jobs?job=${job!.id}&ticket=${(ticket.body as { ticket: string }).ticket}`,
      { ca: server.caCertPem, headers: { origin: server.webUrl, 'x-forwarded-for': OTHER_CLIENT } },
    );
    await opened(jobSocket);
    const jobSocketClosed = closed(jobSocket);

    const identity = await enrolledHost();
    const channel = new WebSocket(`wss://localhost:${server.agentPort}/agent/v1/channel`, { cert: identity.certPem, key: identity.keyPem, ca: server.caCertPem });
    await opened(channel);
    channel.send(JSON.stringify({ type: 'hello', agentVersion: 'test' }));
    const channelClosed = closed(channel);
    expect(await agentExchange({ port: server.agentPort, ca: server.caCertPem, cert: identity.certPem, key: identity.keyPem })).toMatchObject({ status: 200 });

    const refused = await settingsRequest({ ipAllowlist: ['192.0.2.0/24'], trustedProxies: ['127.0.0.1'] }, OTHER_CLIENT);
    expect(refused.status).toBe(409);
    expect((refused.body as { error: { message: string } }).error.message).toBe(
      `the new IP allowlist does not include your current client address ${OTHER_CLIENT}, so saving it would lock you out; add ${OTHER_CLIENT} (or a block containing it) to the list first`,
    );
    expect((await getHosts(OTHER_CLIENT)).status).toBe(200);

    const saved = await settingsRequest({ ipAllowlist: ['192.0.2.0/24'], trustedProxies: ['127.0.0.1'] }, ADMIN_CLIENT);
    expect(saved.status).toBe(200);

    expect(await jobSocketClosed).toBe(1008);
    expect(await channelClosed).toBe(4003);
    expect((await getHosts(OTHER_CLIENT)).status).toBe(403);
    expect((await getHosts(ADMIN_CLIENT)).status).toBe(200);
    await server.waitForOutput('rejected web request from an address outside the IP allowlist');
    const upgrade = await requestJson(`${server.webUrl}/api/v1/ws/jobs?job=${job!.id}`, {
      ca: server.caCertPem,
      cookie: admin.cookie,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        origin: server.webUrl,
        'x-forwarded-for': OTHER_CLIENT,
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    expect(upgrade.status).toBe(403);
    const agentAttempt = await agentExchange({ port: server.agentPort, ca: server.caCertPem, cert: identity.certPem, key: identity.keyPem });
    expect(agentAttempt.status).toBeUndefined();

    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'settings.update'), eq(auditLog.clientAddress, ADMIN_CLIENT)))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(row?.details).toEqual({
      old: { ipAllowlist: [], trustedProxies: ['127.0.0.1'], allowedOrigins: [] },
      new: { ipAllowlist: ['192.0.2.0/24'], trustedProxies: ['127.0.0.1'], allowedOrigins: [] },
    });
  });

  it('malformed forwarded address is rejected', async () => {
    const malformed: Record<string, string>[] = [{ 'x-forwarded-for': `${ADMIN_CLIENT}:443` }, { 'x-forwarded-for': '192.0.2.010' }, { 'x-real-ip': `${ADMIN_CLIENT}, 192.0.2.11` }];
    for (const headers of malformed) {
      const response = await requestJson(`${server.webUrl}/api/v1/hosts`, { cookie: admin.cookie, ca: server.caCertPem, headers });
      expect(response.status).toBe(400);
    }
  });

  it('leftmost spoof is ignored', async () => {
    expect((await getHosts(`${ADMIN_CLIENT}, ${OTHER_CLIENT}`)).status).toBe(403);
    expect((await getHosts(`${OTHER_CLIENT}, ${ADMIN_CLIENT}`)).status).toBe(200);
  });

  it('settings page and dashboard after saving', async () => {
    const page = await requestJson(`${server.webUrl}/settings/network`, { cookie: admin.cookie, ca: server.caCertPem, headers: { 'x-forwarded-for': ADMIN_CLIENT } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-testid="network-client-address">192\.0\.2\.10</);
    expect(page.text).toContain('192.0.2.0/24');
    const dashboard = await requestJson(`${server.webUrl}/dashboard`, { cookie: admin.cookie, ca: server.caCertPem, headers: { 'x-forwarded-for': ADMIN_CLIENT } });
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).not.toContain('allowlist-warning-banner');
  });

  it('dropping the Admin proxy is rejected', async () => {
    const refused = await settingsRequest({ ipAllowlist: ['192.0.2.0/24'], trustedProxies: [] }, ADMIN_CLIENT);

    expect(refused.status).toBe(409);
    expect((refused.body as { error: { message: string } }).error.message).toContain(
      `your client address, which would be 127.0.0.1 with the new trusted proxies (it is ${ADMIN_CLIENT} now)`,
    );
    expect((await getHosts(ADMIN_CLIENT)).status).toBe(200);
  });

  it('cleared list allows every address again', async () => {
    const shown = await requestJson(`${server.webUrl}/api/v1/settings`, { cookie: admin.cookie, ca: server.caCertPem, headers: { 'x-forwarded-for': ADMIN_CLIENT } });
    expect(shown.body).toEqual({
      ipAllowlist: ['192.0.2.0/24'],
      trustedProxies: ['127.0.0.1'],
      allowedOrigins: [],
      effectiveAllowedOrigins: [server.webUrl],
    });

    expect((await settingsRequest({ ipAllowlist: [], trustedProxies: [] }, ADMIN_CLIENT)).status).toBe(200);
    expect((await getHosts(OTHER_CLIENT)).status).toBe(200);
  });
});
