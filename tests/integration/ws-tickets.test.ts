import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hosts, jobHosts, jobOutput, jobs, users, wsTickets } from '@/lib/db/schema';
import { hashWsTicket } from '@/lib/realtime/ws-tickets';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;
let jobId: string;
let hostId: string;

interface UpgradeResult {
  status: number;
  messages: Record<string, unknown>[];
  closeCode?: number;
}

/**
 * Opens the jobs WebSocket with the given Origin (none when undefined). A rejected
 * upgrade resolves with its HTTP status; an accepted one with 101 and every
 * message received until the server closes the stream.
 */
function openJobsSocket(query: { job: string; ticket?: string }, origin: string | undefined): Promise<UpgradeResult> {
  const url = new URL('/api/v1/ws/jobs', server.webUrl.replace(/^https:/, 'wss:'));
  url.searchParams.set('job', query.job);
  if (query.ticket !== undefined) url.searchParams.set('ticket', query.ticket);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: server.caCertPem, ...(origin === undefined ? {} : { origin }) });
    const messages: Record<string, unknown>[] = [];
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, messages });
      res.resume();
      ws.terminate();
    });
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.on('close', (code) => resolve({ status: 101, messages, closeCode: code }));
    ws.on('error', (error) => reject(error));
  });
}

async function issueTicket(session: SignedIn): Promise<string> {
  const response = await requestJson(`${server.webUrl}/api/v1/ws/tickets`, { method: 'POST', ca: server.caCertPem, cookie: session.cookie });
  expect(response.status).toBe(201);
  return (response.body as { ticket: string }).ticket;
}

async function ticketRow(ticket: string) {
  const [row] = await database.db.select().from(wsTickets).where(eq(wsTickets.ticketHash, hashWsTicket(ticket)));
  return row;
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));

  // A finished job with one stored output line: its stream replays the line, reports the status and closes.
  const [host] = await database.db.insert(hosts).values({ hostname: 'ticket-host.test' }).returning({ id: hosts.id });
  hostId = host!.id;
  const [job] = await database.db
    .insert(jobs)
    .values({ action: 'refresh', status: 'succeeded', timeoutSeconds: 600, createdBy: 'test', deadlineAt: new Date(Date.now() + 600_000) })
    .returning({ id: jobs.id });
  jobId = job!.id;
  await database.db.insert(jobHosts).values({ jobId, hostId, status: 'succeeded', exitCode: 0 });
  await database.db.insert(jobOutput).values({ jobId, hostId, seq: 0, stream: 'stdout', line: 'Reading package lists... Done' });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('POST /api/v1/ws/tickets', () => {
  it('requires sign-in', async () => {
    const before = await database.db.select({ id: wsTickets.id }).from(wsTickets);
    const response = await requestJson(`${server.webUrl}/api/v1/ws/tickets`, { method: 'POST', ca: server.caCertPem });

    expect(response.status).toBe(401);
    expect(await database.db.select({ id: wsTickets.id }).from(wsTickets)).toHaveLength(before.length);
  });

  it('stores only the hash for 30 seconds', async () => {
    const ticket = await issueTicket(admin);

    expect(Buffer.from(ticket, 'base64url')).toHaveLength(32);
    const row = await ticketRow(ticket);
    expect(row?.userId).toBeDefined();
    expect(row?.ticketHash).not.toContain(ticket);
    expect(row?.usedAt).toBeNull();
    const lifetime = row!.expiresAt.getTime() - row!.createdAt.getTime();
    expect(lifetime).toBeGreaterThan(29_000);
    expect(lifetime).toBeLessThanOrEqual(30_000);
    const [plain] = await database.sql`select count(*)::int as n from ws_tickets where ticket_hash = ${ticket} or client_address = ${ticket}`;
    expect(plain?.n).toBe(0);
  });
});

describe('jobs WebSocket tickets', () => {
  it('rejects wrong origins, then opens once', async () => {
    const ticket = await issueTicket(admin);
    const url = new URL(server.webUrl);
    const port = Number(url.port);
    const otherPort = port === 65535 ? port - 1 : port + 1;
    const origins: [string, string | undefined][] = [
      ['missing', undefined],
      ['null', 'null'],
      ['suffix trick', `https://localhost.evil.test:${port}`],
      ['prefix trick', `https://evil-localhost:${port}`],
      ['subdomain of the console host', `https://evil.localhost:${port}`],
      ['wrong scheme', `http://localhost:${port}`],
      ['wrong port', `https://localhost:${otherPort}`],
      ['trailing slash', `${server.webUrl}/`],
    ];

    for (const [name, origin] of origins) {
      const result = await openJobsSocket({ job: jobId, ticket }, origin);
      expect({ name, status: result.status }).toEqual({ name, status: 403 });
      expect({ name, usedAt: (await ticketRow(ticket))?.usedAt }).toEqual({ name, usedAt: null });
    }

    const opened = await openJobsSocket({ job: jobId, ticket }, server.webUrl);
    expect(opened.status).toBe(101);
    expect(opened.closeCode).toBe(1000);
    expect(opened.messages).toContainEqual({ type: 'output', hostId, seq: 0, stream: 'stdout', line: 'Reading package lists... Done' });
    expect(opened.messages).toContainEqual({ type: 'job', status: 'succeeded' });
    expect((await ticketRow(ticket))?.usedAt).toBeInstanceOf(Date);

    const again = await openJobsSocket({ job: jobId, ticket }, server.webUrl);
    expect(again.status).toBe(401);
  });

  it('logs rejections without the ticket', async () => {
    const ticket = await issueTicket(admin);
    await openJobsSocket({ job: jobId, ticket }, 'https://localhost.evil.test');
    await openJobsSocket({ job: jobId, ticket }, server.webUrl);
    await openJobsSocket({ job: jobId, ticket }, server.webUrl);

    const output = server.output();
    expect(output).toContain('https://localhost.evil.test');
    expect(output).toContain('origin not allowed');
    expect(output).toContain('missing, used, expired or unknown ticket');
    expect(output).not.toContain(ticket);
  });

  it('rejects a session cookie without ticket', async () => {
    const response = await requestJson(`${server.webUrl}/api/v1/ws/jobs?job=${jobId}`, {
      ca: server.caCertPem,
      cookie: admin.cookie,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        origin: server.webUrl,
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });

    expect(response.status).toBe(401);
  });

  it('rejects an unknown ticket', async () => {
    const result = await openJobsSocket({ job: jobId, ticket: 'A'.repeat(43) }, server.webUrl);

    expect(result.status).toBe(401);
  });

  it('rejects an expired ticket', async () => {
    const ticket = await issueTicket(admin);
    await database.db
      .update(wsTickets)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(wsTickets.ticketHash, hashWsTicket(ticket)));

    const result = await openJobsSocket({ job: jobId, ticket }, server.webUrl);

    expect(result.status).toBe(401);
    expect((await ticketRow(ticket))?.usedAt).toBeNull();
  });

  it('rejects a disabled user\'s ticket', async () => {
    const operator = await createTestUser(database.db, { role: 'operator' });
    const ticket = await issueTicket(await signIn(server, operator));
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, operator.id));

    const result = await openJobsSocket({ job: jobId, ticket }, server.webUrl);

    expect(result.status).toBe(401);
  });

  it('spends the ticket on an unknown job', async () => {
    const ticket = await issueTicket(admin);

    const result = await openJobsSocket({ job: '00000000-0000-4000-8000-000000000000', ticket }, server.webUrl);

    expect(result.status).toBe(404);
    expect((await ticketRow(ticket))?.usedAt).toBeInstanceOf(Date);
  });
});
