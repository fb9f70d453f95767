import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context, Role } from '@/lib/context';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors';
import { createGroup } from '@/lib/groups/create-group';
import { deleteGroup } from '@/lib/groups/delete-group';
import { getGroup } from '@/lib/groups/get-group';
import { listGroups } from '@/lib/groups/list-groups';
import { listUserGroups } from '@/lib/groups/list-user-groups';
import { setGroupHosts } from '@/lib/groups/set-group-hosts';
import { setHostGroups } from '@/lib/groups/set-host-groups';
import { setUserGroups } from '@/lib/groups/set-user-groups';
import { updateGroup } from '@/lib/groups/update-group';
import { listHosts } from '@/lib/hosts/list-hosts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// Group management at the lib/ level against a real database: validation,
// conflicts, set semantics and the Admin-only rule.

let database: TestDatabase;
let admin: Context;
let operator: Context;
let operatorId: string;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

async function addUser(username: string, role: Role): Promise<Context> {
  const [row] = await database.sql<{ id: string }[]>`insert into users (username, role) values (${username}, ${role}) returning id`;
  return {
    actor: { kind: 'user', userId: row!.id, username, role, sessionId: '00000000-0000-4000-8000-0000000005e5', address: '127.0.0.1' },
    db: database.db,
  };
}

async function addHost(hostname: string, removed = false): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`
    insert into hosts (hostname, removed_at) values (${hostname}, ${removed ? new Date().toISOString() : null}) returning id`;
  return row!.id;
}

async function hostMembers(groupId: string): Promise<string[]> {
  const rows = await database.sql<{ hostname: string }[]>`
    select h.hostname from host_group_members m join hosts h on h.id = m.host_id where m.group_id = ${groupId} order by h.hostname`;
  return rows.map((row) => row.hostname);
}

async function error(promise: Promise<unknown>): Promise<Error & { field?: string }> {
  try {
    await promise;
  } catch (caught) {
    return caught as Error & { field?: string };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = await addUser('groups-admin', 'admin');
  operator = await addUser('groups-operator', 'operator');
  operatorId = (operator.actor as { userId: string }).userId;
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`truncate host_groups, hosts cascade`;
});

describe('createGroup', () => {
  it('creates a group with a trimmed name', async () => {
    const { id, name } = await createGroup(admin, { name: '  web servers ', description: 'rack 4' });

    expect(name).toBe('web servers');
    expect((await getGroup(admin, { groupId: id })).description).toBe('rack 4');
  });

  it('rejects a taken name in any case', async () => {
    await createGroup(admin, { name: 'Web' });

    const failure = await error(createGroup(admin, { name: 'wEB' }));
    expect(failure).toBeInstanceOf(ConflictError);
    expect(failure.field).toBe('name');
    expect(failure.message).toContain('choose another name');
  });

  it.each([
    { input: { name: '' }, field: 'name', text: 'name: enter a group name' },
    { input: { name: 'x'.repeat(101) }, field: 'name', text: 'name: at most 100 characters' },
    { input: { name: 'ok', description: 'x'.repeat(1001) }, field: 'description', text: 'description: at most 1000 characters' },
    { input: { name: 'ok', colour: 'red' }, field: 'colour', text: 'unknown field colour' },
    { input: {}, field: 'name', text: 'name: expected a group name' },
  ])('rejects invalid $field', async ({ input, field, text }) => {
    const failure = await error(createGroup(admin, input));

    expect(failure).toBeInstanceOf(ValidationError);
    expect(failure.field).toBe(field);
    expect(failure.message).toContain(text);
    expect(await listGroups(admin)).toEqual([]);
  });

  it('rejects an Operator', async () => {
    await expect(createGroup(operator, { name: 'mine' })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await listGroups(admin)).toEqual([]);
  });
});

describe('updateGroup and deleteGroup', () => {
  it('renames a group', async () => {
    const { id } = await createGroup(admin, { name: 'old' });

    await updateGroup(admin, { groupId: id, name: 'new', description: 'now described' });

    const group = await getGroup(admin, { groupId: id });
    expect([group.name, group.description]).toEqual(['new', 'now described']);
  });

  it('rejects a rename to a taken name', async () => {
    await createGroup(admin, { name: 'taken' });
    const { id } = await createGroup(admin, { name: 'other' });

    await expect(updateGroup(admin, { groupId: id, name: 'TAKEN' })).rejects.toBeInstanceOf(ConflictError);
    expect((await getGroup(admin, { groupId: id })).name).toBe('other');
  });

  it('rejects an empty change', async () => {
    const { id } = await createGroup(admin, { name: 'same' });

    const failure = await error(updateGroup(admin, { groupId: id }));
    expect(failure).toBeInstanceOf(ValidationError);
    expect(failure.field).toBe('name');
  });

  it('reports an unknown group as not found', async () => {
    await expect(updateGroup(admin, { groupId: UNKNOWN, name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteGroup(admin, { groupId: UNKNOWN })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getGroup(admin, { groupId: 'not-a-uuid' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes memberships with the group', async () => {
    const { id } = await createGroup(admin, { name: 'doomed' });
    const hostId = await addHost('kept-host');
    await setGroupHosts(admin, { groupId: id, hostIds: [hostId] });
    await setUserGroups(admin, { userId: operatorId, groupIds: [id] });
    expect((await listHosts(operator, {})).total).toBe(1);

    await deleteGroup(admin, { groupId: id });

    expect((await listHosts(operator, {})).total).toBe(0);
    expect((await listHosts(admin, {})).total).toBe(1);
    expect((await listUserGroups(admin)).get(operatorId)).toBeUndefined();
  });
});

describe('setGroupHosts', () => {
  it('replaces the member set', async () => {
    const { id } = await createGroup(admin, { name: 'set' });
    const [a, b, c] = [await addHost('a'), await addHost('b'), await addHost('c')];

    expect(await setGroupHosts(admin, { groupId: id, hostIds: [a, b, a.toUpperCase()] })).toEqual({ added: 2, removed: 0 });
    expect(await setGroupHosts(admin, { groupId: id, hostIds: [b, c] })).toEqual({ added: 1, removed: 1 });
    expect(await hostMembers(id)).toEqual(['b', 'c']);
    expect(await setGroupHosts(admin, { groupId: id, hostIds: [] })).toEqual({ added: 0, removed: 2 });
    expect(await hostMembers(id)).toEqual([]);
  });

  it('changes nothing when a host is unknown or removed', async () => {
    const { id } = await createGroup(admin, { name: 'strict' });
    const keptHostId = await addHost('kept');
    const removedHostId = await addHost('gone', true);
    await setGroupHosts(admin, { groupId: id, hostIds: [keptHostId] });

    const unknown = await error(setGroupHosts(admin, { groupId: id, hostIds: [UNKNOWN] }));
    const removedHost = await error(setGroupHosts(admin, { groupId: id, hostIds: [removedHostId] }));

    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown.field).toBe('hostIds');
    expect(unknown.message).toContain(UNKNOWN);
    expect(removedHost).toBeInstanceOf(NotFoundError);
    expect(await hostMembers(id)).toEqual(['kept']);
  });

  it('rejects a malformed host id', async () => {
    const { id } = await createGroup(admin, { name: 'typed' });

    const failure = await error(setGroupHosts(admin, { groupId: id, hostIds: ['web-1'] }));
    expect(failure).toBeInstanceOf(ValidationError);
    expect(failure.field).toBe('hostIds.0');
    expect(failure.message).toContain('hostIds: each entry must be a host id (UUID)');
  });

  it('rejects an Operator', async () => {
    const { id } = await createGroup(admin, { name: 'admins only' });
    const hostId = await addHost('h');

    await expect(setGroupHosts(operator, { groupId: id, hostIds: [hostId] })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await hostMembers(id)).toEqual([]);
  });
});

describe('setHostGroups and setUserGroups', () => {
  it('replaces a host groups', async () => {
    const [one, two] = [await createGroup(admin, { name: 'one' }), await createGroup(admin, { name: 'two' })];
    const hostId = await addHost('h1');

    expect((await setHostGroups(admin, { hostId, groupIds: [two.id, one.id] })).groups.map((g) => g.name)).toEqual(['one', 'two']);
    await setHostGroups(admin, { hostId, groupIds: [two.id] });

    expect(await hostMembers(one.id)).toEqual([]);
    expect(await hostMembers(two.id)).toEqual(['h1']);
  });

  it('changes nothing for an unknown group or host', async () => {
    const one = await createGroup(admin, { name: 'one' });
    const hostId = await addHost('h1');
    await setHostGroups(admin, { hostId, groupIds: [one.id] });

    const unknownGroup = await error(setHostGroups(admin, { hostId, groupIds: [UNKNOWN] }));
    expect(unknownGroup).toBeInstanceOf(NotFoundError);
    expect(unknownGroup.field).toBe('groupIds');
    await expect(setHostGroups(admin, { hostId: UNKNOWN, groupIds: [one.id] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(setUserGroups(admin, { userId: UNKNOWN, groupIds: [one.id] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(setUserGroups(admin, { userId: operatorId, groupIds: [one.id, UNKNOWN] })).rejects.toBeInstanceOf(NotFoundError);
    expect(await hostMembers(one.id)).toEqual(['h1']);
    expect((await listUserGroups(admin)).get(operatorId)).toBeUndefined();
  });

  it('assigns and clears a user groups', async () => {
    const [one, two] = [await createGroup(admin, { name: 'one' }), await createGroup(admin, { name: 'two' })];

    await setUserGroups(admin, { userId: operatorId, groupIds: [one.id, two.id] });
    expect((await listUserGroups(admin)).get(operatorId)?.map((g) => g.name)).toEqual(['one', 'two']);
    expect((await getGroup(admin, { groupId: one.id })).users.map((u) => u.username)).toEqual(['groups-operator']);

    await setUserGroups(admin, { userId: operatorId, groupIds: [] });
    expect((await listUserGroups(admin)).get(operatorId)).toBeUndefined();
  });

  it('rejects self-assignment by an Operator', async () => {
    const one = await createGroup(admin, { name: 'one' });

    await expect(setUserGroups(operator, { userId: operatorId, groupIds: [one.id] })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await listUserGroups(admin)).get(operatorId)).toBeUndefined();
  });

  it('counts members in the group list', async () => {
    const one = await createGroup(admin, { name: 'one' });
    await setGroupHosts(admin, { groupId: one.id, hostIds: [await addHost('x'), await addHost('y')] });
    await setUserGroups(admin, { userId: operatorId, groupIds: [one.id] });

    const [summary] = await listGroups(admin);
    expect([summary?.name, summary?.hostCount, summary?.userCount]).toEqual(['one', 2, 1]);
  });
});
