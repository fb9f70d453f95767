import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Context } from '@/lib/context';
import { NotFoundError, ValidationError } from '@/lib/errors';
import { updateSmtpSettings } from '@/lib/notifications/update-smtp-settings';
import { createSchedule } from '@/lib/schedules/create-schedule';
import { deleteSchedule } from '@/lib/schedules/delete-schedule';
import { fireDueSchedules } from '@/lib/schedules/fire-due-schedules';
import { getSchedule } from '@/lib/schedules/get-schedule';
import { listSchedules } from '@/lib/schedules/list-schedules';
import type { CreateScheduleInput } from '@/lib/schedules/schedule-input';
import { setScheduleEnabled } from '@/lib/schedules/set-schedule-enabled';
import { updateSchedule } from '@/lib/schedules/update-schedule';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let database: TestDatabase;
let sink: SmtpSink;
let admin: Context;
let logText = '';
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logText += chunk.toString();
      callback();
    },
  }),
);
const limits = { defaultTimeoutSeconds: 600, hostWaitSeconds: 3600 };

async function addHost(hostname: string): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status) values (${hostname}, 'online') returning id`;
  return row!.id;
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

async function addGroup(name: string, hostIds: string[]): Promise<string> {
  const [group] = await database.sql<{ id: string }[]>`insert into host_groups (name) values (${name}) returning id`;
  for (const hostId of hostIds) {
    await database.sql`insert into host_group_members (group_id, host_id) values (${group!.id}, ${hostId})`;
  }
  return group!.id;
}

function tick(now: string, graceSeconds?: number) {
  return fireDueSchedules(admin, { now: new Date(now), graceSeconds, limits, log, consoleUrl: 'https://patch.example.test' });
}

async function runsOf(scheduleId: string) {
  const rows = await database.sql<{ scheduled_for: string; status: string; job_id: string | null; reason: string | null }[]>`
    select scheduled_for, status, job_id, reason from schedule_runs where schedule_id = ${scheduleId} order by scheduled_for`;
  return rows.map((row) => ({ ...row, scheduledFor: new Date(row.scheduled_for).toISOString() }));
}

async function jobCount(): Promise<number> {
  const [row] = await database.sql<{ count: number }[]>`select count(*)::int as count from jobs`;
  return row!.count;
}

async function expectValidationField(promise: Promise<unknown>, field: string): Promise<ValidationError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
  return error as ValidationError;
}

let hostId: string;

function dailyAt2Berlin(overrides: Partial<CreateScheduleInput> = {}): CreateScheduleInput {
  return {
    name: 'nightly security',
    kind: 'recurring',
    cronExpression: '0 2 * * *',
    timeZone: 'Europe/Berlin',
    jobTemplate: { hostIds: [hostId], action: 'security' },
    ...overrides,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink();
  admin = { actor: { kind: 'system', name: 'test-admin' }, db: database.db };
  await updateSmtpSettings(admin, {
    enabled: true,
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    requireTls: false,
    username: '',
    from: 'patch-manager@example.test',
    recipients: ['ops@example.test'],
    noticeWindowMinutes: 5,
  });
});

afterAll(async () => {
  await sink?.close();
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`delete from schedules`;
  await database.sql`delete from jobs`;
  await database.sql`delete from host_groups`;
  await database.sql`delete from notification_log`;
  await database.sql`delete from hosts`;
  sink.messages.length = 0;
  hostId = await addHost('web-1');
});

describe('schedule firing', () => {
  it('fires at 01:00 UTC in Berlin winter', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), { now: new Date('2027-01-14T12:00:00Z') });
    expect(schedule.nextRunAt).toBe('2027-01-15T01:00:00.000Z');

    expect(await tick('2027-01-15T00:59:59Z')).toEqual([]);
    expect(await jobCount()).toBe(0);

    const [outcome] = await tick('2027-01-15T01:00:10Z');
    expect(outcome?.status).toBe('fired');
    const runs = await runsOf(schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.scheduledFor).toBe('2027-01-15T01:00:00.000Z');
    expect(runs[0]!.status).toBe('fired');
    expect(runs[0]!.job_id).toBe(outcome?.jobId);

    const [job] = await database.sql<{ action: string; created_by: string }[]>`select action, created_by from jobs where id = ${outcome!.jobId}`;
    expect(job).toEqual({ action: 'security', created_by: 'system:scheduler' });
    const after = await getSchedule(admin, { scheduleId: schedule.id });
    expect(after.nextRunAt).toBe('2027-01-16T01:00:00.000Z');
    expect(after.lastRunStatus).toBe('fired');
  });

  it('fires at 00:00 UTC in Berlin summer', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), { now: new Date('2027-07-14T12:00:00Z') });
    expect(schedule.nextRunAt).toBe('2027-07-15T00:00:00.000Z');

    const [outcome] = await tick('2027-07-15T00:00:30Z');
    expect(outcome?.status).toBe('fired');
  });

  it('fires on the DST gap day when the gap ends', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), { now: new Date('2027-03-27T12:00:00Z') });
    expect(schedule.nextRunAt).toBe('2027-03-28T01:00:00.000Z');

    expect(await tick('2027-03-28T00:59:00Z')).toEqual([]);
    const [outcome] = await tick('2027-03-28T01:00:05Z');
    expect(outcome?.status).toBe('fired');
    expect((await getSchedule(admin, { scheduleId: schedule.id })).nextRunAt).toBe('2027-03-29T00:00:00.000Z');
  });

  it('fires once with two concurrent ticks', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await createSchedule(admin, dailyAt2Berlin({ name: `nightly ${index}` }), { now: new Date('2027-01-14T12:00:00Z') })).id);
    }

    const [first, second] = await Promise.all([tick('2027-01-15T01:00:01Z'), tick('2027-01-15T01:00:01Z')]);
    expect(first!.length + second!.length).toBe(5);
    expect(await jobCount()).toBe(5);
    for (const id of ids) {
      expect(await runsOf(id)).toHaveLength(1);
    }
  });

  it('records runs missed during downtime without running them', async () => {
    const schedule = await createSchedule(
      admin,
      dailyAt2Berlin({ name: 'hourly refresh', cronExpression: '0 * * * *', timeZone: 'UTC', jobTemplate: { hostIds: [hostId], action: 'refresh' } }),
      { now: new Date('2027-01-14T23:30:00Z') },
    );

    const [outcome] = await tick('2027-01-15T03:10:00Z');
    expect(outcome?.status).toBe('missed');
    expect(outcome?.missed?.count).toBe(4);
    expect(await jobCount()).toBe(0);

    const runs = await runsOf(schedule.id);
    expect(runs.map((run) => run.status)).toEqual(['missed', 'missed', 'missed', 'missed']);
    expect(runs[0]!.reason).toContain('more than the grace period of 300 s');
    expect((await getSchedule(admin, { scheduleId: schedule.id })).nextRunAt).toBe('2027-01-15T04:00:00.000Z');

    const [audit] = await database.sql<{ actor_label: string; details: { count: number; skipped: number } }[]>`
      select actor_label, details from audit_log where action = 'schedule.missed' and target_id = ${schedule.id}`;
    expect(audit?.actor_label).toBe('system:scheduler');
    expect(audit?.details.count).toBe(4);
    expect(audit?.details.skipped).toBe(0);

    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.raw).toContain('hourly refresh: 4 runs missed');
  });

  it('runs the latest occurrence inside the grace period', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin({ cronExpression: '0 * * * *', timeZone: 'UTC' }), {
      now: new Date('2027-01-14T23:30:00Z'),
    });

    const [outcome] = await tick('2027-01-15T02:02:00Z');
    expect(outcome?.status).toBe('fired');
    expect(outcome?.missed?.count).toBe(2);
    const runs = await runsOf(schedule.id);
    expect(runs.map((run) => `${run.scheduledFor} ${run.status}`)).toEqual([
      '2027-01-15T00:00:00.000Z missed',
      '2027-01-15T01:00:00.000Z missed',
      '2027-01-15T02:00:00.000Z fired',
    ]);
    expect(await jobCount()).toBe(1);
  });

  it('honours a shorter grace period', async () => {
    await createSchedule(admin, dailyAt2Berlin(), { now: new Date('2027-01-14T12:00:00Z') });
    const [outcome] = await tick('2027-01-15T01:01:00Z', 30);
    expect(outcome?.status).toBe('missed');
    expect(await jobCount()).toBe(0);
  });

  it('caps recorded missed runs and counts the rest', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin({ cronExpression: '* * * * *', timeZone: 'UTC' }), {
      now: new Date('2027-01-14T23:59:30Z'),
    });

    // 180 minutes of downtime; the occurrence at 03:00 is 20 s late and runs.
    const [outcome] = await tick('2027-01-15T03:00:20Z');
    expect(outcome?.status).toBe('fired');
    expect(outcome?.missed).toMatchObject({ count: 180, recorded: 100, skipped: 80, countComplete: true });

    const runs = await runsOf(schedule.id);
    expect(runs.filter((run) => run.status === 'missed')).toHaveLength(100);
    expect(runs.filter((run) => run.status === 'fired')).toHaveLength(1);
    expect(runs[99]!.reason).toContain('80 later missed occurrences were not recorded');
  });

  it('fires a one-off schedule once, then disables it', async () => {
    const schedule = await createSchedule(
      admin,
      dailyAt2Berlin({ name: 'one-off', kind: 'once', cronExpression: undefined, runAt: '2027-01-15T09:30:00+01:00' }),
      { now: new Date('2027-01-14T12:00:00Z') },
    );
    expect(schedule.nextRunAt).toBe('2027-01-15T08:30:00.000Z');

    const [outcome] = await tick('2027-01-15T08:30:05Z');
    expect(outcome?.status).toBe('fired');
    expect(await tick('2027-01-15T08:31:00Z')).toEqual([]);
    expect(await tick('2027-01-16T08:31:00Z')).toEqual([]);

    const after = await getSchedule(admin, { scheduleId: schedule.id });
    expect(after.enabled).toBe(false);
    expect(after.nextRunAt).toBeNull();
    expect(after.runs).toHaveLength(1);
    expect(await jobCount()).toBe(1);
  });

  it('records a failed run when the host is gone', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), { now: new Date('2027-01-14T12:00:00Z') });
    await database.sql`update hosts set removed_at = now() where id = ${hostId}`;

    const [outcome] = await tick('2027-01-15T01:00:10Z');
    expect(outcome?.status).toBe('failed');
    const [run] = await runsOf(schedule.id);
    expect(run?.status).toBe('failed');
    expect(run?.reason).toContain('host not found');
    expect(await jobCount()).toBe(0);
    expect((await getSchedule(admin, { scheduleId: schedule.id })).nextRunAt).toBe('2027-01-16T01:00:00.000Z');
    expect(logText).toContain(`"scheduleId":"${schedule.id}"`);
    expect(logText).toContain('scheduled job was not created');
  });

  it("fails an Operator's run after losing the group", async () => {
    const groupId = await addGroup('web', [hostId]);
    const operator = await addOperator([groupId]);
    const schedule = await createSchedule(operator, dailyAt2Berlin(), { now: new Date('2027-01-14T12:00:00Z') });
    await database.sql`delete from user_group_members where group_id = ${groupId}`;

    const [outcome] = await tick('2027-01-15T01:00:10Z');
    expect(outcome?.status).toBe('failed');
    expect(outcome?.reason).toContain('host not found');
    expect(await jobCount()).toBe(0);
    expect((await runsOf(schedule.id))[0]?.status).toBe('failed');
  });
});

describe('schedule management', () => {
  const now = { now: new Date('2027-01-14T12:00:00Z') };

  it('names the field of invalid input', async () => {
    await expectValidationField(createSchedule(admin, dailyAt2Berlin({ cronExpression: '0 25 * * *' }), now), 'cronExpression');
    await expectValidationField(createSchedule(admin, dailyAt2Berlin({ timeZone: 'Mars/Olympus' }), now), 'timeZone');
    await expectValidationField(createSchedule(admin, dailyAt2Berlin({ name: ' ' }), now), 'name');
    await expectValidationField(
      createSchedule(admin, dailyAt2Berlin({ kind: 'once', cronExpression: undefined, runAt: '2027-01-01T00:00:00Z' }), now),
      'runAt',
    );
    await expectValidationField(createSchedule(admin, dailyAt2Berlin({ kind: 'once' }), now), 'cronExpression');
    const action = await expectValidationField(
      createSchedule(admin, dailyAt2Berlin({ jobTemplate: { hostIds: [hostId], action: 'reinstall' } }), now),
      'jobTemplate.action',
    );
    expect(action.message).toMatch(/^jobTemplate\.action: expected one of/);
    await expectValidationField(createSchedule(admin, { ...dailyAt2Berlin(), color: 'red' } as CreateScheduleInput, now), 'color');
    expect(await listSchedules(admin)).toEqual([]);
  });

  it('refuses an Operator hosts outside their groups', async () => {
    const otherHost = await addHost('db-1');
    const groupId = await addGroup('web', [hostId]);
    const operator = await addOperator([groupId]);

    const error = await createSchedule(operator, dailyAt2Berlin({ jobTemplate: { hostIds: [hostId, otherHost], action: 'security' } }), now).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).field).toBe('jobTemplate.hostIds');
    expect(await listSchedules(admin)).toEqual([]);
  });

  it('hides schedules on other hosts from an Operator', async () => {
    const otherHost = await addHost('db-1');
    const groupId = await addGroup('web', [hostId]);
    const operator = await addOperator([groupId]);
    const own = await createSchedule(operator, dailyAt2Berlin({ name: 'mine' }), now);
    const foreign = await createSchedule(admin, dailyAt2Berlin({ name: 'theirs', jobTemplate: { hostIds: [otherHost], action: 'security' } }), now);

    expect((await listSchedules(operator)).map((item) => item.name)).toEqual(['mine']);
    expect((await listSchedules(admin)).map((item) => item.name).sort()).toEqual(['mine', 'theirs']);
    await expect(getSchedule(operator, { scheduleId: foreign.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteSchedule(operator, { scheduleId: foreign.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateSchedule(operator, { scheduleId: foreign.id, changes: { name: 'taken' } })).rejects.toBeInstanceOf(NotFoundError);
    expect((await getSchedule(admin, { scheduleId: foreign.id })).name).toBe('theirs');
    expect((await getSchedule(operator, { scheduleId: own.id })).name).toBe('mine');
  });

  it('recomputes the next run on update and audits it', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), now);
    const updated = await updateSchedule(admin, { scheduleId: schedule.id, changes: { cronExpression: '30 3 * * 1', timeZone: 'UTC' } }, now);
    // 2027-01-14 is a Thursday, so the next Monday is 2027-01-18.
    expect(updated.nextRunAt).toBe('2027-01-18T03:30:00.000Z');

    const [audit] = await database.sql<{ details: { changes: Record<string, { old: unknown; new: unknown }> } }[]>`
      select details from audit_log where action = 'schedule.update' and target_id = ${schedule.id}`;
    expect(audit?.details.changes.cronExpression).toEqual({ old: '0 2 * * *', new: '30 3 * * 1' });
  });

  it('switches a schedule from recurring to one-off', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), now);
    const updated = await updateSchedule(admin, { scheduleId: schedule.id, changes: { kind: 'once', runAt: '2027-02-01T10:00:00Z' } }, now);
    expect(updated).toMatchObject({ kind: 'once', cronExpression: null, runAt: '2027-02-01T10:00:00.000Z', nextRunAt: '2027-02-01T10:00:00.000Z' });
  });

  it('disables and enables a schedule', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), now);
    const disabled = await setScheduleEnabled(admin, { scheduleId: schedule.id, enabled: false }, now);
    expect(disabled.nextRunAt).toBeNull();
    expect(await tick('2027-01-15T01:00:10Z')).toEqual([]);

    const enabled = await setScheduleEnabled(admin, { scheduleId: schedule.id, enabled: true }, { now: new Date('2027-01-20T12:00:00Z') });
    expect(enabled.nextRunAt).toBe('2027-01-21T01:00:00.000Z');
  });

  it('deletes a schedule with an audit row', async () => {
    const schedule = await createSchedule(admin, dailyAt2Berlin(), now);
    await deleteSchedule(admin, { scheduleId: schedule.id });
    await expect(getSchedule(admin, { scheduleId: schedule.id })).rejects.toBeInstanceOf(NotFoundError);

    const actions = await database.sql<{ action: string }[]>`select action from audit_log where target_id = ${schedule.id} order by id`;
    expect(actions.map((row) => row.action)).toEqual(['schedule.create', 'schedule.delete']);
  });

  it('counts missed runs in the list', async () => {
    await createSchedule(admin, dailyAt2Berlin(), { now: new Date('2027-01-14T12:00:00Z') });
    await tick('2027-01-17T12:00:00Z');
    const [item] = await listSchedules(admin, { now: new Date('2027-01-17T12:00:00Z') });
    expect(item?.missedRuns).toBe(3);
    expect(item?.lastRunStatus).toBe('missed');
  });
});

describe('Operator group and filter templates', () => {
  const now = { now: new Date('2027-01-14T12:00:00Z') };

  it('accepts a template of their own group', async () => {
    const groupId = await addGroup('web', [hostId]);
    const operator = await addOperator([groupId]);

    const schedule = await createSchedule(operator, dailyAt2Berlin({ jobTemplate: { groupIds: [groupId], action: 'security' } }), now);

    expect((await listSchedules(operator)).map((item) => item.id)).toEqual([schedule.id]);
  });

  it('refuses a group outside their groups', async () => {
    const ownGroup = await addGroup('web', [hostId]);
    const otherGroup = await addGroup('db', [await addHost('db-1')]);
    const operator = await addOperator([ownGroup]);

    const error = await createSchedule(operator, dailyAt2Berlin({ jobTemplate: { groupIds: [otherGroup], action: 'security' } }), now).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).field).toMatch(/^jobTemplate\.groupIds/);
    expect(await listSchedules(admin)).toEqual([]);
  });

  it('fires a filter template on their hosts only', async () => {
    const otherHost = await addHost('web-other');
    const groupId = await addGroup('web', [hostId]);
    const operator = await addOperator([groupId]);
    const schedule = await createSchedule(operator, dailyAt2Berlin({ jobTemplate: { filter: { namePattern: 'web-*' }, action: 'security' } }), now);
    expect((await listSchedules(operator)).map((item) => item.id)).toEqual([schedule.id]);

    const [outcome] = await tick('2027-01-15T01:00:10Z');

    expect(outcome?.status).toBe('fired');
    const targets = await database.sql<{ host_id: string }[]>`select host_id from job_hosts where job_id = ${outcome!.jobId!}`;
    expect(targets.map((row) => row.host_id)).toEqual([hostId]);
    expect(targets.map((row) => row.host_id)).not.toContain(otherHost);
  });
});
