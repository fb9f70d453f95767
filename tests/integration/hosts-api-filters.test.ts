import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, signIn, type SignedIn } from '../helpers/auth-session';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestJson, type JsonResponse } from '../helpers/https-json';
import { startServer, type ServerProcess } from '../helpers/server-process';

// GET /api/v1/hosts filters (group, OS, security updates, reboot state) and
// GET /api/v1/hosts/os-names through the real server. Hosts: web-1 and web-2 in
// group Web, db-1 and db-2 in group Db, lone-1 in no group, and a removed host in
// Web. The Operator is assigned to Web.

let database: TestDatabase;
let server: ServerProcess;
let admin: SignedIn;
let operator: SignedIn;
const groupIds = new Map<string, string>();

const HOSTS = [
  { hostname: 'web-1', os: 'Ubuntu', status: 'online', security: 2, reboot: 'yes', groups: ['Web'] },
  { hostname: 'web-2', os: 'Ubuntu', status: 'offline', security: 0, reboot: 'no', groups: ['Web'] },
  { hostname: 'db-1', os: 'Debian GNU/Linux', status: 'online', security: 3, reboot: 'unknown', groups: ['Db'] },
  { hostname: 'db-2', os: 'Rocky Linux', status: 'online', security: 0, reboot: 'yes', groups: ['Db'] },
  { hostname: 'lone-1', os: 'Debian GNU/Linux', status: 'online', security: 1, reboot: 'no', groups: [] },
];

interface HostPage {
  total: number;
  items: { hostname: string }[];
}

function get(path: string, session: SignedIn): Promise<JsonResponse> {
  return requestJson(`${server.webUrl}${path}`, { ca: server.caCertPem, authorization: session.bearer });
}

/** Hostnames of one page, sorted by hostname unless the path sets a sort. */
async function hostnames(query: string, session: SignedIn = admin): Promise<string[]> {
  const sorted = query.includes('sort=') ? query : `${query}${query ? '&' : ''}sort=hostname`;
  const response = await get(`/api/v1/hosts?${sorted}`, session);
  expect(response.status, response.text).toBe(200);
  return (response.body as HostPage).items.map((item) => item.hostname);
}

function group(name: string): string {
  return groupIds.get(name)!;
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer({ databaseUrl: database.url });
  admin = await signIn(server, await createTestUser(database.db, { role: 'admin' }));
  const operatorUser = await createTestUser(database.db, { role: 'operator' });
  operator = await signIn(server, operatorUser);

  for (const name of ['Web', 'Db', 'Empty']) {
    const [row] = await database.sql<{ id: string }[]>`insert into host_groups (name) values (${name}) returning id`;
    groupIds.set(name, row!.id);
  }
  for (const host of HOSTS) {
    const [row] = await database.sql<{ id: string }[]>`
      insert into hosts (hostname, os_name, os_version, status, security_count, pending_count, reboot_required, inventory_at, last_seen_at)
      values (${host.hostname}, ${host.os}, '1', ${host.status}, ${host.security}, ${host.security + 1}, ${host.reboot}, now(), now())
      returning id`;
    for (const name of host.groups) {
      await database.sql`insert into host_group_members (group_id, host_id) values (${group(name)}, ${row!.id})`;
    }
  }
  const [removed] = await database.sql<{ id: string }[]>`
    insert into hosts (hostname, os_name, status, security_count, reboot_required, removed_at)
    values ('web-removed', 'Fedora Linux', 'offline', 5, 'yes', now()) returning id`;
  await database.sql`insert into host_group_members (group_id, host_id) values (${group('Web')}, ${removed!.id})`;
  await database.sql`insert into user_group_members (user_id, group_id) values (${operatorUser.id}, ${group('Web')})`;
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('GET /api/v1/hosts filters', () => {
  it('filters by one group', async () => {
    expect(await hostnames(`group=${group('Web')}`)).toEqual(['web-1', 'web-2']);
    expect(await hostnames(`group=${group('Db')}`)).toEqual(['db-1', 'db-2']);
    expect(await hostnames(`group=${group('Empty')}`)).toEqual([]);
  });

  it('matches any of several groups', async () => {
    const both = ['db-1', 'db-2', 'web-1', 'web-2'];

    expect(await hostnames(`group=${group('Web')}&group=${group('Db')}`)).toEqual(both);
    expect(await hostnames(`group=${group('Web')},${group('Db')}`)).toEqual(both);
    expect(await hostnames(`group=${group('Web').toUpperCase()}`)).toEqual(['web-1', 'web-2']);
  });

  it('matches an unknown group id with no host', async () => {
    const response = await get('/api/v1/hosts?group=00000000-0000-4000-8000-000000000000', admin);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ total: 0, items: [] });
  });

  it('filters by OS name ignoring case', async () => {
    expect(await hostnames('os=Ubuntu')).toEqual(['web-1', 'web-2']);
    expect(await hostnames('os=debian%20gnu%2Flinux')).toEqual(['db-1', 'lone-1']);
    expect(await hostnames('os=Fedora%20Linux')).toEqual([]);
  });

  it('filters by pending security updates', async () => {
    expect(await hostnames('security=yes')).toEqual(['db-1', 'lone-1', 'web-1']);
  });

  it('filters by reboot state', async () => {
    expect(await hostnames('reboot=required')).toEqual(['db-2', 'web-1']);
    expect(await hostnames('reboot=not-required')).toEqual(['lone-1', 'web-2']);
    expect(await hostnames('reboot=unknown')).toEqual(['db-1']);
  });

  it('combines filters with AND', async () => {
    expect(await hostnames(`group=${group('Web')}&os=Ubuntu&security=yes&reboot=required`)).toEqual(['web-1']);
    expect(await hostnames(`group=${group('Db')}&reboot=required&status=online`)).toEqual(['db-2']);
    expect(await hostnames(`group=${group('Db')}&reboot=required&status=offline`)).toEqual([]);
    expect(await hostnames('os=Debian%20GNU%2FLinux&search=lone')).toEqual(['lone-1']);
    expect(await hostnames(`group=${group('Web')}&security=yes&reboot=not-required`)).toEqual([]);
  });

  it('pages a filtered list with its total', async () => {
    const first = await get('/api/v1/hosts?security=yes&sort=security&pageSize=2&page=1', admin);
    const second = await get('/api/v1/hosts?security=yes&sort=security&pageSize=2&page=2', admin);

    expect((first.body as HostPage).items.map((item) => item.hostname)).toEqual(['db-1', 'web-1']);
    expect((second.body as HostPage).items.map((item) => item.hostname)).toEqual(['lone-1']);
    expect([(first.body as HostPage).total, (second.body as HostPage).total]).toEqual([3, 3]);
  });
});

describe('GET /api/v1/hosts filters for an Operator', () => {
  it('lists only hosts of the Operator groups', async () => {
    expect(await hostnames('', operator)).toEqual(['web-1', 'web-2']);
    expect(await hostnames('reboot=required', operator)).toEqual(['web-1']);
  });

  it('matches no host for a group the Operator is not in', async () => {
    const response = await get(`/api/v1/hosts?group=${group('Db')}`, operator);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ total: 0, items: [] });
  });

  it('keeps other groups hidden when the filter names several', async () => {
    expect(await hostnames(`group=${group('Db')},${group('Web')}`, operator)).toEqual(['web-1', 'web-2']);
    expect(await hostnames('os=Debian%20GNU%2FLinux', operator)).toEqual([]);
  });
});

describe('GET /api/v1/hosts/os-names', () => {
  it('lists the OS names of visible hosts', async () => {
    const response = await get('/api/v1/hosts/os-names', admin);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: ['Debian GNU/Linux', 'Rocky Linux', 'Ubuntu'] });
  });

  it('lists only names in the Operator groups', async () => {
    const response = await get('/api/v1/hosts/os-names', operator);

    expect(response.body).toEqual({ items: ['Ubuntu'] });
  });

  it('rejects a query parameter', async () => {
    const response = await get('/api/v1/hosts/os-names?os=Ubuntu', admin);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'os', message: 'os: unknown query parameter; this endpoint takes no query parameters' } });
  });
});

describe('GET /api/v1/hosts invalid filters', () => {
  const manyGroups = Array.from({ length: 101 }, () => '00000000-0000-4000-8000-000000000000').join(',');

  it.each([
    { query: 'group=web', field: 'group', message: 'group: expected group ids (UUID), repeated or comma-separated' },
    { query: 'group=', field: 'group', message: 'group: expected group ids (UUID), repeated or comma-separated' },
    { query: 'group=00000000-0000-4000-8000-000000000000,', field: 'group', message: 'group: expected group ids (UUID), repeated or comma-separated' },
    { query: `group=${manyGroups}`, label: 'group with 101 ids', field: 'group', message: 'group: at most 100 group ids' },
    { query: 'os=', field: 'os', message: 'os: expected an OS name such as Ubuntu' },
    { query: `os=${'x'.repeat(129)}`, label: 'os of 129 characters', field: 'os', message: 'os: at most 128 characters' },
    { query: 'os=%00', field: 'os', message: 'os: contains a NUL character or invalid UTF-16; remove it' },
    { query: 'search=a%00b', field: 'search', message: 'search: contains a NUL character or invalid UTF-16; remove it' },
    { query: 'security=no', field: 'security', message: 'security: expected yes' },
    { query: 'security=', field: 'security', message: 'security: expected yes' },
    { query: 'reboot=yes', field: 'reboot', message: 'reboot: expected required, not-required or unknown' },
    { query: 'reboot=Required', field: 'reboot', message: 'reboot: expected required, not-required or unknown' },
    { query: 'status=bogus', field: 'status', message: 'status: expected online, offline or pending' },
    { query: 'reboot=required&reboot=unknown', field: 'reboot', message: 'reboot: given more than once; send it once' },
    { query: 'os=Ubuntu&os=Debian', field: 'os', message: 'os: given more than once; send it once' },
  ].map((entry) => ({ label: entry.query, ...entry })))('$label answers 400 naming $field', async ({ query, field, message }) => {
    const response = await get(`/api/v1/hosts?${query}`, admin);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', field, message } });
  });

  it('hosts page ignores a NUL in its filters', async () => {
    for (const query of ['q=%00', 'os=%00']) {
      const response = await requestJson(`${server.webUrl}/hosts?${query}`, { ca: server.caCertPem, cookie: admin.cookie });

      expect(response.status, query).toBe(200);
    }
  });

  it('lists the filters among the accepted parameters', async () => {
    const response = await get('/api/v1/hosts?groups=x', admin);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { field: 'groups', message: 'groups: unknown query parameter; expected search, status, group, os, security, reboot, sort, page, pageSize' },
    });
  });
});
