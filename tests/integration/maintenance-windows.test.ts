import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Context } from '@/lib/context';
import { ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors';
import { listGroupsWithWindows } from '@/lib/maintenance/list-groups-with-windows';
import { listHostStartPermissions, type HostStartPermission } from '@/lib/maintenance/list-host-start-permissions';
import { listMaintenanceWindows } from '@/lib/maintenance/list-maintenance-windows';
import { setMaintenanceWindows } from '@/lib/maintenance/set-maintenance-windows';
import type { SetMaintenanceWindowsInput } from '@/lib/maintenance/maintenance-window-input';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let admin: Context;

type WindowInput = SetMaintenanceWindowsInput['windows'][number];

// Saturday 22:00 Berlin time for four hours, so across midnight into Sunday.
const saturdayNight: WindowInput = { daysOfWeek: [6], startTime: '22:00', durationMinutes: 240, timeZone: 'Europe/Berlin' };
// Wednesday 12:00 UTC for one hour.
const wednesdayNoon: WindowInput = { daysOfWeek: [3], startTime: '12:00', durationMinutes: 60, timeZone: 'UTC' };

async function addHost(hostname: string): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status) values (${hostname}, 'online') returning id`;
  return row!.id;
}

async function addGroup(name: string, hostIds: string[]): Promise<string> {
  const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values (${name}) returning id`;
  for (const hostId of hostIds) {
    await database.sql`insert into host_group_members (group_id, host_id) values (${group!.id}, ${hostId})`;
  }
  return group!.id;
}

async function addOperator(groupIds: string[]): Promise<Context> {
  const username = `operator-${Math.random().toString(36).slice(2, 10)}`;
  const [user] = await database.sql<{ id: string }[]>`insert into users (username, role) values (${username}, 'operator') returning id`;
  for (const groupId of groupIds) {
    await database.sql`insert into user_group_members (group_id, user_id) values (${groupId}, ${user!.id})`;
  }
  const actor: Actor = { kind: 'user', userId: user!.id, username, role: 'operator', sessionId: 'test-session', address: '127.0.0.1' };
  return { actor, db: database.db };
}

async function permissionsAt(hostIds: string[], now: string): Promise<Map<string, HostStartPermission>> {
  const permissions = await listHostStartPermissions(database.db, { hostIds, now: new Date(now) });
  return new Map(permissions.map((permission) => [permission.hostId, permission]));
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = { actor: { kind: 'system', name: 'test-admin' }, db: database.db };
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`delete from host_groups`;
  await database.sql`delete from hosts`;
});

describe('maintenance window management', () => {
  it('replaces the windows of a group and audits it', async () => {
    const groupId = await addGroup('web', []);
    await setMaintenanceWindows(admin, { groupId, request: { windows: [saturdayNight] } });
    const saved = await setMaintenanceWindows(admin, { groupId, request: { windows: [wednesdayNoon, { ...saturdayNight, daysOfWeek: [6, 0, 6] }] } });

    expect(saved.windows.map(({ id: _id, ...window }) => window)).toEqual([wednesdayNoon, { ...saturdayNight, daysOfWeek: [0, 6] }]);
    expect((await listMaintenanceWindows(admin, { groupId })).windows).toEqual(saved.windows);

    const audits = await database.sql<{ details: { old: unknown[]; new: unknown[] } }[]>`
      select details from audit_log where action = 'maintenance_window.update' and target_id = ${groupId} order by id`;
    expect(audits).toHaveLength(2);
    expect(audits[1]!.details.old).toEqual([saturdayNight]);
    expect(audits[1]!.details.new).toHaveLength(2);
  });

  it('names the field of an invalid window', async () => {
    const groupId = await addGroup('web', []);
    const cases: [WindowInput, string][] = [
      [{ ...saturdayNight, startTime: '24:00' }, 'windows.0.startTime'],
      [{ ...saturdayNight, daysOfWeek: [7] }, 'windows.0.daysOfWeek.0'],
      [{ ...saturdayNight, daysOfWeek: [] }, 'windows.0.daysOfWeek'],
      [{ ...saturdayNight, durationMinutes: 0 }, 'windows.0.durationMinutes'],
      [{ ...saturdayNight, timeZone: 'Berlin' }, 'windows.0.timeZone'],
    ];
    for (const [window, field] of cases) {
      const error = await setMaintenanceWindows(admin, { groupId, request: { windows: [window] } }).catch((caught: unknown) => caught);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
    expect((await listMaintenanceWindows(admin, { groupId })).windows).toEqual([]);
  });

  it('lets only Admins change windows', async () => {
    const groupId = await addGroup('web', []);
    const operator = await addOperator([groupId]);
    await expect(setMaintenanceWindows(operator, { groupId, request: { windows: [saturdayNight] } })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await listMaintenanceWindows(operator, { groupId })).windows).toEqual([]);
  });

  it("hides other groups' windows from an Operator", async () => {
    const own = await addGroup('web', []);
    const other = await addGroup('db', []);
    const operator = await addOperator([own]);
    await expect(listMaintenanceWindows(operator, { groupId: other })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listGroupsWithWindows(operator)).map((group) => group.groupName)).toEqual(['web']);
    expect((await listGroupsWithWindows(admin)).map((group) => group.groupName)).toEqual(['db', 'web']);
  });
});

describe('host start permissions', () => {
  it('lets a host in no windowed group start at any time', async () => {
    const loose = await addHost('loose');
    const plain = await addHost('plain');
    await addGroup('no windows', [plain]);

    const permissions = await permissionsAt([loose, plain], '2027-01-13T03:00:00Z');
    expect(permissions.get(loose)).toMatchObject({ mayStart: true, restricted: false, closesAt: null });
    expect(permissions.get(plain)).toMatchObject({ mayStart: true, restricted: false, closesAt: null });
  });

  it('opens across midnight and closes after', async () => {
    const hostId = await addHost('web-1');
    const groupId = await addGroup('web', [hostId]);
    await setMaintenanceWindows(admin, { groupId, request: { windows: [saturdayNight] } });

    expect((await permissionsAt([hostId], '2027-01-16T20:59:00Z')).get(hostId)).toMatchObject({ mayStart: false, restricted: true, closesAt: null });
    const open = (await permissionsAt([hostId], '2027-01-16T23:30:00Z')).get(hostId);
    expect(open?.mayStart).toBe(true);
    expect(open?.closesAt?.toISOString()).toBe('2027-01-17T01:00:00.000Z');
    expect(open?.openWindows).toHaveLength(1);
    expect((await permissionsAt([hostId], '2027-01-17T01:00:00Z')).get(hostId)?.mayStart).toBe(false);
  });

  it('follows local time across the DST change', async () => {
    const hostId = await addHost('web-1');
    const groupId = await addGroup('web', [hostId]);
    await setMaintenanceWindows(admin, { groupId, request: { windows: [saturdayNight] } });

    // Summer: 22:00 CEST is 20:00 UTC.
    expect((await permissionsAt([hostId], '2027-07-17T20:00:00Z')).get(hostId)?.closesAt?.toISOString()).toBe('2027-07-18T00:00:00.000Z');
    expect((await permissionsAt([hostId], '2027-07-17T19:59:00Z')).get(hostId)?.mayStart).toBe(false);
    // The night the clocks go back: four hours of elapsed time from 22:00 CEST.
    expect((await permissionsAt([hostId], '2027-10-30T23:59:00Z')).get(hostId)?.mayStart).toBe(true);
    expect((await permissionsAt([hostId], '2027-10-31T00:00:00Z')).get(hostId)?.mayStart).toBe(false);
  });

  it('uses the windows of every windowed group of a host', async () => {
    const both = await addHost('both');
    const webOnly = await addHost('web-only');
    const mixed = await addHost('mixed');
    const web = await addGroup('web', [both, webOnly, mixed]);
    const db = await addGroup('db', [both]);
    await addGroup('no windows', [mixed]);
    await setMaintenanceWindows(admin, { groupId: web, request: { windows: [wednesdayNoon] } });
    await setMaintenanceWindows(admin, { groupId: db, request: { windows: [saturdayNight] } });

    // Saturday night: only the db group's window is open.
    const saturday = await permissionsAt([both, webOnly, mixed], '2027-01-16T22:00:00Z');
    expect(saturday.get(both)).toMatchObject({ mayStart: true, restricted: true });
    expect(saturday.get(both)?.openWindows.map((window) => window.groupId)).toEqual([db]);
    expect(saturday.get(webOnly)?.mayStart).toBe(false);
    // A group without windows does not open anything for a host in a windowed group.
    expect(saturday.get(mixed)?.mayStart).toBe(false);

    // Wednesday noon: the web group's window is open.
    const wednesday = await permissionsAt([both, webOnly, mixed], '2027-01-13T12:30:00Z');
    expect(wednesday.get(both)?.closesAt?.toISOString()).toBe('2027-01-13T13:00:00.000Z');
    expect(wednesday.get(webOnly)?.mayStart).toBe(true);
    expect(wednesday.get(mixed)?.mayStart).toBe(true);
  });

  it('reports the latest closing of overlapping windows', async () => {
    const hostId = await addHost('web-1');
    const web = await addGroup('web', [hostId]);
    const all = await addGroup('all', [hostId]);
    await setMaintenanceWindows(admin, { groupId: web, request: { windows: [wednesdayNoon] } });
    await setMaintenanceWindows(admin, { groupId: all, request: { windows: [{ ...wednesdayNoon, durationMinutes: 180 }] } });

    const permission = (await permissionsAt([hostId], '2027-01-13T12:10:00Z')).get(hostId);
    expect(permission?.openWindows).toHaveLength(2);
    expect(permission?.closesAt?.toISOString()).toBe('2027-01-13T15:00:00.000Z');
  });
});
