import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditPaths } from '@/lib/audit/checkpoint-files';
import { verifyAuditChain } from '@/lib/audit/verify-audit-chain';
import { getLastAuditVerification, verifyAuditLog } from '@/lib/audit/verify-audit-log';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { canRewriteAuditLog } from '@/lib/db/app-role';
import { createEnrollmentToken } from '@/lib/enrollment/create-enrollment-token';
import { enrollHost } from '@/lib/enrollment/enroll-host';
import { hashEnrollmentToken } from '@/lib/enrollment/token';
import { createGroup } from '@/lib/groups/create-group';
import { deleteGroup } from '@/lib/groups/delete-group';
import { setGroupHosts } from '@/lib/groups/set-group-hosts';
import { setHostGroups } from '@/lib/groups/set-host-groups';
import { setUserGroups } from '@/lib/groups/set-user-groups';
import { updateGroup } from '@/lib/groups/update-group';
import { getLogger } from '@/lib/log';
import { createJob } from '@/lib/patching/create-job';
import { expireJobs } from '@/lib/patching/expire-jobs';
import { claimDispatchableJobs } from '@/lib/patching/list-dispatchable-jobs';
import { recordJobResult, recordJobStarted } from '@/lib/patching/record-agent-event';
import { createCa } from '@/lib/pki/create-ca';
import { createCsr } from '@/lib/pki/issue-test-client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let admin: Context;
let ca: { caCertPem: string; caKeyPem: string; validityDays: number };
const server = { enrollUrl: 'https://127.0.0.1:8443', caFingerprint: 'AA:BB', defaultTtlHours: 24 };
const limits = { defaultTimeoutSeconds: 600, hostWaitSeconds: 3600 };
const log = getLogger({ level: 'silent' });

interface AuditRow {
  id: string;
  actor_kind: string;
  actor_label: string;
  client_address: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

async function auditRows(): Promise<AuditRow[]> {
  return database.sql<AuditRow[]>`
    select id::text, actor_kind, actor_label, client_address, action, target_kind, target_id, details
    from audit_log order by audit_log.id`;
}

async function addHost(hostname: string): Promise<string> {
  const [row] = await database.sql<{ id: string }[]>`insert into hosts (hostname, status, last_seen_at)
    values (${hostname}, 'online', now()) returning id`;
  return row!.id;
}

async function enroll(): Promise<{ token: string; hostId: string }> {
  const { token } = await createEnrollmentToken(admin, { description: 'rack 4' }, server);
  const { csrPem } = await createCsr();
  const result = await enrollHost(admin, { token, csr: csrPem, hostname: 'web-1' }, ca);
  return { token, hostId: result.hostId };
}

beforeAll(async () => {
  database = await createTestDatabase({ appRole: true });
  admin = {
    actor: {
      kind: 'user',
      userId: '00000000-0000-4000-8000-00000000a11c',
      username: 'alice',
      role: 'admin',
      sessionId: '00000000-0000-4000-8000-0000000005e5',
      address: '127.0.0.1',
    },
    db: database.app!.db,
  };
  const authority = await createCa();
  ca = { caCertPem: authority.certPem, caKeyPem: authority.keyPem, validityDays: 30 };
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.sql`truncate audit_log, jobs, hosts, enrollment_tokens restart identity cascade`;
});

describe('application role', () => {
  it('inserts and reads audit rows', async () => {
    await database.app!.db.transaction((tx) => writeAudit(tx, { actor: admin.actor, action: 'test.event' }));
    const rows = await database.app!.sql`select id from audit_log`;

    expect(rows).toHaveLength(1);
  });

  it('cannot update audit rows', async () => {
    await database.app!.db.transaction((tx) => writeAudit(tx, { actor: admin.actor, action: 'test.event' }));

    await expect(database.app!.sql`update audit_log set action = 'test.changed'`).rejects.toThrow(/permission denied/);
  });

  it('cannot delete audit rows', async () => {
    await database.app!.db.transaction((tx) => writeAudit(tx, { actor: admin.actor, action: 'test.event' }));

    await expect(database.app!.sql`delete from audit_log`).rejects.toThrow(/permission denied/);
    await expect(database.app!.sql`truncate audit_log`).rejects.toThrow(/permission denied/);
    expect(await database.sql`select id from audit_log`).toHaveLength(1);
  });

  it('cannot rewrite audit checkpoints', async () => {
    await expect(database.app!.sql`delete from audit_checkpoints`).rejects.toThrow(/permission denied/);
  });

  it('still updates and deletes other tables', async () => {
    const hostId = await addHost('db-1');

    await database.app!.sql`update hosts set hostname = 'db-2' where id = ${hostId}`;
    await database.app!.sql`delete from hosts where id = ${hostId}`;
    expect(await database.sql`select id from hosts`).toHaveLength(0);
  });

  it('reports its audit privileges', async () => {
    expect(await canRewriteAuditLog(database.app!.sql)).toBe(false);
    expect(await canRewriteAuditLog(database.sql)).toBe(true);
  });
});

describe('audit events', () => {
  const cases: {
    name: string;
    run: () => Promise<string>;
    action: string;
    targetKind: string;
    actorKind: string;
    details: Record<string, unknown>;
  }[] = [
    {
      name: 'enrollment token creation',
      run: async () => (await createEnrollmentToken(admin, { description: 'rack 4', maxUses: 3 }, server)).id,
      action: 'enrollment_token.create',
      targetKind: 'enrollment_token',
      actorKind: 'user',
      details: { description: 'rack 4', maxUses: 3 },
    },
    {
      name: 'host enrollment',
      run: async () => (await enroll()).hostId,
      action: 'host.enroll',
      targetKind: 'host',
      actorKind: 'enrollment',
      details: { hostname: 'web-1' },
    },
    {
      name: 'job creation',
      run: async () => (await createJob(admin, { hostIds: [await addHost('web-2'), await addHost('web-3')], action: 'security' }, limits)).id,
      action: 'job.create',
      targetKind: 'job',
      actorKind: 'user',
      details: { action: 'security', hostCount: 2, dryRun: false },
    },
    {
      name: 'job finish after an agent result',
      run: async () => {
        const hostId = await addHost('web-4');
        const { id } = await createJob(admin, { hostIds: [hostId], action: 'upgrade-all' }, limits);
        const agent: Context = { actor: { kind: 'agent', hostId, address: '127.0.0.1' }, db: database.app!.db };
        await claimDispatchableJobs(database.app!.db, { hostIds: [hostId] });
        await recordJobStarted(agent, id);
        await recordJobResult(agent, id, {
          exitCode: 0,
          status: 'succeeded',
          failure: null,
          changes: [],
          reboot: { required: 'no', reason: 'kernel is current', packages: [] },
          durationMs: 10,
        });
        return id;
      },
      action: 'job.finish',
      targetKind: 'job',
      actorKind: 'system',
      details: { status: 'succeeded' },
    },
    {
      name: 'job finish after a timeout',
      run: async () => {
        const hostId = await addHost('web-5');
        const { id } = await createJob(admin, { hostIds: [hostId], action: 'refresh' }, limits);
        await database.sql`update jobs set deadline_at = now() - interval '1 minute' where id = ${id}`;
        await expireJobs({ actor: { kind: 'system', name: 'worker' }, db: database.app!.db });
        return id;
      },
      action: 'job.finish',
      targetKind: 'job',
      actorKind: 'system',
      details: { status: 'failed' },
    },
    {
      name: 'group creation',
      run: async () => (await createGroup(admin, { name: 'audit created', description: 'rack 5' })).id,
      action: 'group.create',
      targetKind: 'group',
      actorKind: 'user',
      details: { name: 'audit created', description: 'rack 5' },
    },
    {
      name: 'group rename',
      run: async () => {
        const { id } = await createGroup(admin, { name: 'audit before' });
        await updateGroup(admin, { groupId: id, name: 'audit after' });
        return id;
      },
      action: 'group.update',
      targetKind: 'group',
      actorKind: 'user',
      details: { name: 'audit after', changes: { name: { from: 'audit before', to: 'audit after' } } },
    },
    {
      name: 'group member hosts change',
      run: async () => {
        const { id } = await createGroup(admin, { name: 'audit members' });
        await setGroupHosts(admin, { groupId: id, hostIds: [await addHost('web-6')] });
        return id;
      },
      action: 'group.update',
      targetKind: 'group',
      actorKind: 'user',
      details: { name: 'audit members', hostsAdded: [{ hostname: 'web-6' }], hostsRemoved: [] },
    },
    {
      name: 'group deletion',
      run: async () => {
        const { id } = await createGroup(admin, { name: 'audit deleted' });
        await setGroupHosts(admin, { groupId: id, hostIds: [await addHost('web-7')] });
        await deleteGroup(admin, { groupId: id });
        return id;
      },
      action: 'group.delete',
      targetKind: 'group',
      actorKind: 'user',
      details: { name: 'audit deleted', hostCount: 1, userCount: 0 },
    },
    {
      name: 'host group assignment',
      run: async () => {
        const hostId = await addHost('web-8');
        const first = await createGroup(admin, { name: 'audit host one' });
        const second = await createGroup(admin, { name: 'audit host two' });
        await setHostGroups(admin, { hostId, groupIds: [second.id, first.id] });
        return hostId;
      },
      action: 'host.groups',
      targetKind: 'host',
      actorKind: 'user',
      details: { hostname: 'web-8', from: [], to: ['audit host one', 'audit host two'] },
    },
    {
      name: 'user group assignment',
      run: async () => {
        const [user] = await database.sql<{ id: string }[]>`
          insert into users (username, role) values ('audit-operator', 'operator')
          on conflict (username) do update set role = excluded.role returning id`;
        const { id } = await createGroup(admin, { name: 'audit users' });
        await setUserGroups(admin, { userId: user!.id, groupIds: [id] });
        return user!.id;
      },
      action: 'user.groups',
      targetKind: 'user',
      actorKind: 'user',
      details: { username: 'audit-operator', from: [], to: ['audit users'] },
    },
  ];

  it.each(cases)('records $name', async (testCase) => {
    const targetId = await testCase.run();
    const rows = await auditRows();
    const row = rows.find((candidate) => candidate.action === testCase.action);

    expect(row, `no ${testCase.action} row among ${rows.map((r) => r.action).join(', ')}`).toBeDefined();
    expect(row!.target_kind).toBe(testCase.targetKind);
    expect(row!.target_id).toBe(targetId);
    expect(row!.actor_kind).toBe(testCase.actorKind);
    expect(row!.details).toMatchObject(testCase.details);
    expect((await verifyAuditChain(database.app!.db)).integrity).toBe(true);
  });

  it('records the client address of a console actor', async () => {
    await createEnrollmentToken(admin, {}, server);
    const [row] = await auditRows();

    expect(row!.client_address).toBe('127.0.0.1');
    expect(row!.actor_label).toBe('user:alice');
  });

  it('keeps tokens and their hashes out of audit rows', async () => {
    const { token } = await enroll();
    const text = JSON.stringify(await database.sql`select * from audit_log`);

    expect(text).not.toContain(token);
    expect(text).not.toContain(hashEnrollmentToken(token));
  });

  it('records the certificate on enrollment', async () => {
    const { hostId } = await enroll();
    const [certificate] = await database.sql<{ serial: string; fingerprint: string }[]>`
      select serial, fingerprint from certificates where host_id = ${hostId}`;
    const row = (await auditRows()).find((candidate) => candidate.action === 'host.enroll');

    expect(row!.details.certificateSerial).toBe(certificate!.serial);
    expect(row!.details.certificateFingerprint).toBe(certificate!.fingerprint);
  });

  it('names the enrollment token as the actor', async () => {
    const { hostId } = await enroll();
    const rows = (await auditRows()).filter((candidate) => candidate.target_id === hostId || candidate.details.hostId === hostId);
    const tokenId = rows[0]!.details.enrollmentTokenId as string;

    expect(rows.map((row) => row.action).sort()).toEqual(['certificate.issue', 'host.enroll']);
    for (const row of rows) {
      expect(row.actor_kind).toBe('enrollment');
      expect(row.actor_label).toBe(`enrollment-token:${tokenId}`);
      expect(row.client_address).toBe('127.0.0.1');
    }
  });
});

describe('failed audit write', () => {
  async function failAuditFor(action: string): Promise<void> {
    await database.sql.unsafe(`alter table audit_log add constraint test_fail_audit check (action <> '${action}') not valid`);
  }

  beforeEach(async () => {
    await database.sql`alter table audit_log drop constraint if exists test_fail_audit`;
  });

  it('rolls back an enrollment', async () => {
    const { token } = await createEnrollmentToken(admin, {}, server);
    await failAuditFor('host.enroll');
    const { csrPem } = await createCsr();

    await expect(enrollHost(admin, { token, csr: csrPem, hostname: 'web-9' }, ca)).rejects.toMatchObject({ cause: { constraint_name: 'test_fail_audit' } });
    expect(await database.sql`select id from hosts`).toHaveLength(0);
    expect(await database.sql`select id from certificates`).toHaveLength(0);
    const [stored] = await database.sql<{ uses: number }[]>`select uses from enrollment_tokens`;
    expect(stored!.uses).toBe(0);
  });

  it('rolls back a job creation', async () => {
    const hostId = await addHost('web-10');
    await failAuditFor('job.create');

    await expect(createJob(admin, { hostIds: [hostId], action: 'refresh' }, limits)).rejects.toMatchObject({ cause: { constraint_name: 'test_fail_audit' } });
    expect(await database.sql`select id from jobs`).toHaveLength(0);
  });

  it('rolls back a token creation', async () => {
    await failAuditFor('enrollment_token.create');

    await expect(createEnrollmentToken(admin, {}, server)).rejects.toMatchObject({ cause: { constraint_name: 'test_fail_audit' } });
    expect(await database.sql`select id from enrollment_tokens`).toHaveLength(0);
  });

  it('rolls back the change when details hold a secret', async () => {
    const hostId = await addHost('web-11');
    const attempt = database.app!.db.transaction(async (tx) => {
      await tx.execute(`update hosts set hostname = 'renamed' where id = '${hostId}'`);
      await writeAudit(tx, { actor: admin.actor, action: 'host.update', details: { password: 'hunter2' } });
    });

    await expect(attempt).rejects.toThrow(/secret/);
    const [host] = await database.sql<{ hostname: string }[]>`select hostname from hosts`;
    expect(host!.hostname).toBe('web-11');
  });
});

describe('verifyAuditLog', () => {
  it('stores the outcome for the dashboard', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-audit-log-'));
    try {
      await createEnrollmentToken(admin, {}, server);
      const paths = auditPaths({ configDir: dir, dataDir: dir });
      const outcome = await verifyAuditLog(admin, { paths, log, trigger: 'request' });
      expect(outcome).toMatchObject({ integrity: true, rowsChecked: 1, trigger: 'request' });

      await database.sql`update audit_log set actor_label = 'someone else'`;
      await verifyAuditLog(admin, { paths, log, trigger: 'schedule' });
      const stored = await getLastAuditVerification(admin);
      expect(stored).toMatchObject({ integrity: false, firstBroken: { id: 1 }, trigger: 'schedule' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
