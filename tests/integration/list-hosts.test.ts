import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';
import { listHosts } from '@/lib/hosts/list-hosts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// Search, filters, sort and paging of the host list against a real database.

let database: TestDatabase;
let admin: Context;

const HOSTS = [
  { hostname: 'web-01', os: 'Debian GNU/Linux', ip: '192.0.2.11', status: 'online', pending: 5, security: 2 },
  { hostname: 'web-02', os: 'Debian GNU/Linux', ip: '192.0.2.12', status: 'online', pending: 1, security: 0 },
  { hostname: 'db_01', os: 'Ubuntu', ip: '198.51.100.7', status: 'offline', pending: 9, security: 4 },
  { hostname: 'dbx01', os: 'Ubuntu', ip: '198.51.100.8', status: 'online', pending: 0, security: 0 },
  { hostname: 'cache-1', os: 'Rocky Linux', ip: '203.0.113.5', status: 'pending', pending: 3, security: 3 },
];

function names(result: { items: { hostname: string }[] }): string[] {
  return result.items.map((item) => item.hostname);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const [user] = await database.sql<{ id: string }[]>`insert into users (username, role) values ('list-admin', 'admin') returning id`;
  admin = {
    actor: { kind: 'user', userId: user!.id, username: 'list-admin', role: 'admin', sessionId: '00000000-0000-4000-8000-00000000a11d', address: '127.0.0.1' },
    db: database.db,
  };
  for (const host of HOSTS) {
    await database.sql`
      insert into hosts (hostname, os_name, ip_addresses, status, pending_count, security_count, last_seen_at)
      values (${host.hostname}, ${host.os}, ${[host.ip]}, ${host.status}, ${host.pending}, ${host.security}, now())`;
  }
  await database.sql`insert into hosts (hostname, status, removed_at) values ('web-removed', 'offline', now())`;
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe('listHosts', () => {
  it('puts the most security updates first by default', async () => {
    const result = await listHosts(admin, {});

    expect(names(result)).toEqual(['db_01', 'cache-1', 'web-01', 'web-02', 'dbx01']);
    expect(result.total).toBe(5);
  });

  it('searches host names, OS names and addresses', async () => {
    expect(names(await listHosts(admin, { search: 'web', sort: 'hostname' }))).toEqual(['web-01', 'web-02']);
    expect(names(await listHosts(admin, { search: 'ubuntu', sort: 'hostname' }))).toEqual(['db_01', 'dbx01']);
    expect(names(await listHosts(admin, { search: '203.0.113', sort: 'hostname' }))).toEqual(['cache-1']);
  });

  it('reads LIKE wildcards in a search literally', async () => {
    expect(names(await listHosts(admin, { search: 'db_' }))).toEqual(['db_01']);
    expect(names(await listHosts(admin, { search: '%' }))).toEqual([]);
  });

  it('filters by status', async () => {
    expect(names(await listHosts(admin, { status: 'online', sort: 'hostname' }))).toEqual(['dbx01', 'web-01', 'web-02']);
  });

  it('pages with the total of all matches', async () => {
    const first = await listHosts(admin, { sort: 'hostname', page: 1, pageSize: 2 });
    const second = await listHosts(admin, { sort: 'hostname', page: 2, pageSize: 2 });
    const third = await listHosts(admin, { sort: 'hostname', page: 3, pageSize: 2 });
    const beyond = await listHosts(admin, { sort: 'hostname', page: 4, pageSize: 2 });

    expect(names(first)).toEqual(['cache-1', 'db_01']);
    expect(names(second)).toEqual(['dbx01', 'web-01']);
    expect(names(third)).toEqual(['web-02']);
    expect(names(beyond)).toEqual([]);
    expect([first.total, second.total, third.total, beyond.total]).toEqual([5, 5, 5, 5]);
  });

  it('rejects a page size above 500 naming the field', async () => {
    await expect(listHosts(admin, { pageSize: 501 })).rejects.toThrow(ValidationError);
    await expect(listHosts(admin, { pageSize: 501 })).rejects.toThrow(/pageSize: expected 1 to 500/);
  });
});
