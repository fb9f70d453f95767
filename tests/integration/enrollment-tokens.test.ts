import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db/client';
import { hashEnrollmentToken } from '@/lib/enrollment/token';
import { createCsr } from '@/lib/pki/issue-test-client';
import { createTestUser, signIn, type SignedIn, type TestUser } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// Enrollment tokens bound to a group and token revocation, through the real
// server, database and admin CLI. A bound token puts the enrolled host in its
// group. A revoked token is rejected at enrollment and at the agent downloads.
// Both operations are Admin only and audited.

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let database: TestDatabase;
let server: ServerProcess;
let adminUser: TestUser;
let admin: SignedIn;
let operator: SignedIn;

function api(pathname: string, options: { method?: string; body?: unknown; session?: SignedIn } = {}): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${pathname}`, {
    method: options.method,
    body: options.body,
    ca: server.caCertPem,
    authorization: (options.session ?? admin).bearer,
  });
}

async function createGroup(name: string): Promise<string> {
  const response = await api('/api/v1/groups', { body: { name } });
  expect(response.status, response.text).toBe(201);
  return (response.body as { id: string }).id;
}

async function createToken(body: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const response = await api('/api/v1/enrollment-tokens', { body });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; token: string };
}

async function enroll(token: string, hostname: string): Promise<JsonResponse> {
  const { csrPem } = await createCsr();
  return requestJson(`${server.webUrl}/api/v1/enroll`, { body: { token, csr: csrPem, hostname }, ca: server.caCertPem });
}

function download(name: string, token: string): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}/downloads/${name}`, { ca: server.caCertPem, headers: { 'x-enrollment-token': token } });
}

async function tokenRow(id: string): Promise<{ revoked_at: Date | null; uses: number; group_id: string | null } | undefined> {
  const [row] = await database.sql<{ revoked_at: Date | null; uses: number; group_id: string | null }[]>`
    select revoked_at, uses, group_id from enrollment_tokens where id = ${id}`;
  return row;
}

/** Waits until a session of the test database waits for a row lock, or throws after 10 s. */
async function waitForLockWaiter(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await database.sql<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (row!.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the revocation did not wait for the row lock within 10 s');
}

async function tokenCount(): Promise<number> {
  const [row] = await database.sql<{ count: number }[]>`select count(*)::int as count from enrollment_tokens`;
  return row!.count;
}

async function auditRows(action: string, targetId: string) {
  return database.sql<{ actor_kind: string; actor_label: string; details: Record<string, unknown>; text: string }[]>`
    select actor_kind, actor_label, details, details::text as text from audit_log
    where action = ${action} and target_id = ${targetId} order by id`;
}

/** Runs the admin CLI against the test server's database and configuration. */
function runCli(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'patch-manager.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...server.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  adminUser = await createTestUser(database.db, { role: 'admin', username: 'tokens-admin' });
  admin = await signIn(server, adminUser);
  operator = await signIn(server, await createTestUser(database.db, { role: 'operator', username: 'tokens-operator' }));
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('token bound to a group', () => {
  it('enrolls a host into the group', async () => {
    const groupId = await createGroup('Web servers');
    const response = await api('/api/v1/enrollment-tokens', { body: { description: 'web rack', maxUses: 2, groupId } });
    expect(response.status, response.text).toBe(201);
    const created = response.body as { id: string; token: string; group: { id: string; name: string } | null };
    expect(created.group).toEqual({ id: groupId, name: 'Web servers' });

    const enrolled = await enroll(created.token, 'grouped-host');

    expect(enrolled.status, enrolled.text).toBe(201);
    const hostId = (enrolled.body as { hostId: string }).hostId;
    const members = await database.sql<{ group_id: string }[]>`select group_id from host_group_members where host_id = ${hostId}`;
    expect(members.map((row) => row.group_id)).toEqual([groupId]);
    expect((await tokenRow(created.id))?.group_id).toBe(groupId);
  });

  it('lists the group name with the token', async () => {
    const groupId = await createGroup('Listed group');
    const created = await createToken({ description: 'listed', groupId });
    const unbound = await createToken({ description: 'unbound' });

    const list = await api('/api/v1/enrollment-tokens');

    expect(list.status).toBe(200);
    const rows = list.body as { id: string; groupId: string | null; groupName: string | null }[];
    expect(rows.find((row) => row.id === created.id)).toMatchObject({ groupId, groupName: 'Listed group' });
    expect(rows.find((row) => row.id === unbound.id)).toMatchObject({ groupId: null, groupName: null });
    expect(list.text).not.toContain(created.token);
  });

  it('audits the group of a new token', async () => {
    const groupId = await createGroup('Audited group');
    const created = await createToken({ description: 'audited', groupId });

    const rows = await auditRows('enrollment_token.create', created.id);

    expect(rows.map((row) => row.details)).toEqual([expect.objectContaining({ description: 'audited', groupId, groupName: 'Audited group' })]);
    expect(rows[0]!.text).not.toContain(created.token);
    expect(rows[0]!.text).not.toContain(hashEnrollmentToken(created.token));
  });

  it('rejects an unknown groupId on the field', async () => {
    const before = await tokenCount();
    const unknown = randomUUID();

    const response = await api('/api/v1/enrollment-tokens', { body: { description: 'lost', groupId: unknown } });

    expect(response.status).toBe(404);
    const error = (response.body as { error: { field?: string; message: string } }).error;
    expect(error.field).toBe('groupId');
    expect(error.message).toContain(unknown);
    expect(error.message).toContain('pick an existing group, or none');
    expect(await tokenCount()).toBe(before);
  });

  it('rejects a malformed groupId on the field', async () => {
    const before = await tokenCount();

    const response = await api('/api/v1/enrollment-tokens', { body: { groupId: 'web servers' } });

    expect(response.status).toBe(400);
    const error = (response.body as { error: { field?: string; message: string } }).error;
    expect(error.field).toBe('groupId');
    expect(error.message).toContain('expected a group id (UUID)');
    expect(await tokenCount()).toBe(before);
  });
});

describe('Operator', () => {
  it('cannot create a token', async () => {
    const groupId = await createGroup('Operator target');
    const before = await tokenCount();

    const response = await api('/api/v1/enrollment-tokens', { body: { description: 'operator', groupId }, session: operator });

    expect(response.status).toBe(403);
    expect(await tokenCount()).toBe(before);
  });

  it('cannot revoke a token', async () => {
    const created = await createToken({ description: 'kept from operator' });

    const response = await api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: {}, session: operator });

    expect(response.status).toBe(403);
    expect((await tokenRow(created.id))?.revoked_at).toBeNull();
    expect(await auditRows('enrollment_token.revoke', created.id)).toEqual([]);
  });
});

describe('revoked token', () => {
  let created: { id: string; token: string };

  beforeAll(async () => {
    created = await createToken({ description: 'to revoke', maxUses: 3 });
  });

  it('serves downloads before the revocation', async () => {
    const response = await download('install-agent.sh', created.token);

    expect(response.status).toBe(200);
  });

  it('revokes an active token', async () => {
    const response = await api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: {} });

    expect(response.status, response.text).toBe(200);
    const body = response.body as { id: string; revokedAt: string };
    expect(body.id).toBe(created.id);
    const row = await tokenRow(created.id);
    expect(row?.revoked_at).not.toBeNull();
    expect(new Date(row!.revoked_at!).toISOString()).toBe(body.revokedAt);
  });

  it('is rejected at enrollment', async () => {
    const response = await enroll(created.token, 'after-revoke');

    expect(response.status).toBe(401);
    const [hosts] = await database.sql<{ count: number }[]>`select count(*)::int as count from hosts where hostname = 'after-revoke'`;
    expect(hosts?.count).toBe(0);
    expect((await tokenRow(created.id))?.uses).toBe(0);
  });

  it('is rejected at the downloads', async () => {
    expect((await download('pm-agent.mjs', created.token)).status).toBe(401);
    expect((await download('install-agent.sh', created.token)).status).toBe(401);
  });

  it('writes one audit row without the token', async () => {
    const rows = await auditRows('enrollment_token.revoke', created.id);

    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toEqual({ description: 'to revoke', uses: 0, maxUses: 3 });
    expect(rows[0]!.actor_label).toBe(`user:${adminUser.username}`);
    expect(rows[0]!.text).not.toContain(created.token);
    expect(rows[0]!.text).not.toContain(hashEnrollmentToken(created.token));
  });

  it('conflicts when revoked again', async () => {
    const before = (await tokenRow(created.id))?.revoked_at;

    const response = await api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: {} });

    expect(response.status).toBe(409);
    expect((response.body as { error: { message: string } }).error.message).toContain('already revoked');
    expect((await tokenRow(created.id))?.revoked_at).toEqual(before);
    expect(await auditRows('enrollment_token.revoke', created.id)).toHaveLength(1);
  });
});

describe('revoke', () => {
  it('conflicts on an expired token', async () => {
    const created = await createToken({ description: 'expired' });
    await database.sql`update enrollment_tokens set expires_at = now() - interval '1 minute' where id = ${created.id}`;

    const response = await api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: {} });

    expect(response.status).toBe(409);
    expect((response.body as { error: { message: string } }).error.message).toContain('expired');
    expect((await tokenRow(created.id))?.revoked_at).toBeNull();
  });

  it('revokes a used token and counts its uses', async () => {
    const created = await createToken({ description: 'used once', maxUses: 2 });
    expect((await enroll(created.token, 'before-revoke')).status).toBe(201);

    const response = await api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: {} });

    expect(response.status).toBe(200);
    const rows = await auditRows('enrollment_token.revoke', created.id);
    expect(rows.map((row) => row.details)).toEqual([{ description: 'used once', uses: 1, maxUses: 2 }]);
  });

  it('returns not found for an unknown id', async () => {
    const response = await api(`/api/v1/enrollment-tokens/${randomUUID()}/revoke`, { body: {} });

    expect(response.status).toBe(404);
    expect((response.body as { error: { message: string } }).error.message).toBe('enrollment token not found');
  });

  it('rejects a malformed id on the field', async () => {
    const response = await api('/api/v1/enrollment-tokens/not-a-token/revoke', { body: {} });

    expect(response.status).toBe(400);
    expect((response.body as { error: { field?: string } }).error.field).toBe('tokenId');
  });

  it('stores an upper-case id in lower case', async () => {
    const created = await createToken({ description: 'upper case' });

    const response = await api(`/api/v1/enrollment-tokens/${created.id.toUpperCase()}/revoke`, { body: {} });

    expect(response.status, response.text).toBe(200);
    expect((response.body as { id: string }).id).toBe(created.id);
    expect(await auditRows('enrollment_token.revoke', created.id)).toHaveLength(1);
  });

  it('dates the revocation after a use it waited for', async () => {
    const created = await createToken({ description: 'locked' });
    const gate = openDatabase(database.url, { max: 1, applicationName: 'pm-test-gate' });

    try {
      // The gate holds the row lock, as a concurrent enrollment does, until the revocation waits for it.
      const { pending, releasedAt } = await gate.sql.begin(async (tx) => {
        await tx`select id from enrollment_tokens where id = ${created.id} for update`;
        const pending = api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: {} });
        await waitForLockWaiter();
        const [row] = await tx<{ ms: number }[]>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`;
        return { pending, releasedAt: Math.floor(row!.ms) };
      });
      const response = await pending;

      expect(response.status, response.text).toBe(200);
      const revokedAt = new Date((response.body as { revokedAt: string }).revokedAt);
      expect(revokedAt.getTime()).toBeGreaterThanOrEqual(releasedAt);
    } finally {
      await gate.close();
    }
  });

  it('rejects a request body', async () => {
    const created = await createToken({ description: 'with body' });

    const response = await api(`/api/v1/enrollment-tokens/${created.id}/revoke`, { body: { reason: 'lost' } });

    expect(response.status).toBe(400);
    expect((await tokenRow(created.id))?.revoked_at).toBeNull();
  });
});

describe('re-enrollment token of a removed host', () => {
  it('is rejected at the downloads', async () => {
    const created = await createToken({ description: 'first enrollment' });
    const enrolled = await enroll(created.token, 'removed-later');
    expect(enrolled.status, enrolled.text).toBe(201);
    const hostId = (enrolled.body as { hostId: string }).hostId;
    const reenroll = await api('/api/v1/certificates/reenroll', { body: { hostId } });
    expect(reenroll.status, reenroll.text).toBe(201);
    const token = /PM_ENROLL_TOKEN=(\S+)/.exec((reenroll.body as { enrollCommand: string }).enrollCommand)![1]!;
    expect((await download('install-agent.sh', token)).status).toBe(200);

    const removed = await api(`/api/v1/hosts/${hostId}`, { method: 'DELETE' });

    expect(removed.status, removed.text).toBe(200);
    expect((await download('install-agent.sh', token)).status).toBe(401);
    expect((await download('pm-agent.mjs', token)).status).toBe(401);
  });
});

describe('admin CLI', () => {
  it('shows the help for a command group', () => {
    for (const args of [['token', '--help'], ['auth', 'help'], ['help']]) {
      const result = runCli(args);

      expect(result.status, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('token revoke');
    }
  });

  it('creates a token for a group named in any case', async () => {
    const groupId = await createGroup('CLI Group');

    const result = runCli(['token', 'create', '--description', 'from cli', '--group', 'cli GROUP']);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('join the group "CLI Group"');
    const token = /^\s+(pmet_\S+)$/m.exec(result.stdout)?.[1];
    expect(token).toBeDefined();
    const [row] = await database.sql<{ group_id: string | null }[]>`
      select group_id from enrollment_tokens where token_hash = ${hashEnrollmentToken(token!)}`;
    expect(row?.group_id).toBe(groupId);
  });

  it('creates a token for a group named by id', async () => {
    const groupId = await createGroup('CLI by id');

    const result = runCli(['token', 'create', '--group', groupId]);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('join the group "CLI by id"');
  });

  it('lists the groups when none matches', async () => {
    const before = await tokenCount();

    const result = runCli(['token', 'create', '--group', 'no such group']);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--group: no group named "no such group"; existing groups:');
    expect(result.stderr).toContain('"CLI Group"');
    expect(await tokenCount()).toBe(before);
  });

  it('revokes a token by id', async () => {
    const created = await createToken({ description: 'revoked by cli' });

    const result = runCli(['token', 'revoke', created.id]);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Revoked enrollment token ${created.id}`);
    expect((await tokenRow(created.id))?.revoked_at).not.toBeNull();
    const rows = await auditRows('enrollment_token.revoke', created.id);
    expect(rows.map((row) => row.actor_kind)).toEqual(['cli']);
    expect((await enroll(created.token, 'after-cli-revoke')).status).toBe(401);
  });

  it('reports an unknown token id', async () => {
    const result = runCli(['token', 'revoke', randomUUID()]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('enrollment token not found');
  });
});
