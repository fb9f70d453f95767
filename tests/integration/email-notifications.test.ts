import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditPaths } from '@/lib/audit/checkpoint-files';
import { verifyAuditLog } from '@/lib/audit/verify-audit-log';
import type { Context } from '@/lib/context';
import { ForbiddenError, ValidationError } from '@/lib/errors';
import { REDACT_PATHS, serializeError } from '@/lib/log';
import { getSmtpSettings } from '@/lib/notifications/get-smtp-settings';
import { notifyExpiringCertificates } from '@/lib/notifications/notify-expiring-certificates';
import { notifyFailedJobs } from '@/lib/notifications/notify-failed-jobs';
import { notifyStoredAuditFailure } from '@/lib/notifications/notify-audit-failure';
import { sendTestEmail } from '@/lib/notifications/send-test-email';
import type { SmtpSettingsInput } from '@/lib/notifications/smtp-settings';
import { updateSmtpSettings } from '@/lib/notifications/update-smtp-settings';
import { runMarkOfflineHosts } from '@/workers/tasks/mark-offline-hosts';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

const PASSWORD = 'Corr3ct-Horse-Battery-Staple';
const CONSOLE_URL = 'https://patch.example.test:8443';

let database: TestDatabase;
let sink: SmtpSink;
let admin: Context;
let system: Context;
let logText = '';
const log = pino(
  { level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } },
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logText += chunk.toString();
      callback();
    },
  }),
);

function settingsInput(overrides: Partial<SmtpSettingsInput> = {}): SmtpSettingsInput {
  return {
    enabled: true,
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    requireTls: false,
    username: 'mailer',
    from: 'patch-manager@example.test',
    recipients: ['ops@example.test', 'oncall@example.test'],
    noticeWindowMinutes: 60,
    ...overrides,
  };
}

/** Header value of a raw message, unfolded. */
function header(raw: string, name: string): string | undefined {
  const unfolded = raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  return unfolded
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
}

/** The decoded text body of a raw message (nodemailer sends quoted-printable or 7bit text). */
function body(raw: string): string {
  const text = raw.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  return text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\r\n/g, '\n');
}

async function insertHost(hostname: string, fields: { status?: string; lastSeenHoursAgo?: number } = {}): Promise<string> {
  const lastSeen = new Date(Date.now() - (fields.lastSeenHoursAgo ?? 0) * 3_600_000).toISOString();
  const [row] = await database.sql<{ id: string }[]>`
    insert into hosts (hostname, status, last_seen_at) values (${hostname}, ${fields.status ?? 'online'}, ${lastSeen}) returning id`;
  return row!.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink({ credentials: { username: 'mailer', password: PASSWORD } });
  admin = {
    actor: { kind: 'user', userId: '6d1f9c1e-3d3c-4a53-9a55-0d8f1c2b7a10', username: 'alice', role: 'admin', sessionId: 'session-1', address: '127.0.0.1' },
    db: database.db,
  };
  system = { actor: { kind: 'system', name: 'worker' }, db: database.db };
});

afterAll(async () => {
  await sink?.close();
  await database?.drop();
});

beforeEach(async () => {
  await updateSmtpSettings(admin, { ...settingsInput(), password: PASSWORD });
});

describe('SMTP settings', () => {
  it('never returns the password', async () => {
    const saved = await updateSmtpSettings(admin, { ...settingsInput(), password: PASSWORD });
    const read = await getSmtpSettings(admin);

    expect(read).toEqual(saved);
    expect(read.passwordSet).toBe(true);
    expect(read).not.toHaveProperty('password');
    expect(JSON.stringify(saved)).not.toContain(PASSWORD);
    expect(JSON.stringify(read)).not.toContain(PASSWORD);
  });

  it('keeps the password when omitted', async () => {
    await updateSmtpSettings(admin, settingsInput({ port: 2525 }));

    const [row] = await database.sql<{ value: { password: string; port: number } }[]>`select value from settings where key = 'smtp'`;
    expect(row?.value.port).toBe(2525);
    expect(row?.value.password).toBe(PASSWORD);
  });

  it('removes the password on null', async () => {
    const saved = await updateSmtpSettings(admin, { ...settingsInput(), password: null });

    expect(saved.passwordSet).toBe(false);
  });

  it('audits changes without the password', async () => {
    await updateSmtpSettings(admin, { ...settingsInput({ recipients: ['security@example.test'] }), password: `${PASSWORD}-new` });

    const rows = await database.sql<{ actor_label: string; details: { old: Record<string, unknown>; new: Record<string, unknown>; smtpAuthChange: string } }[]>`
      select actor_label, details from audit_log where action = 'settings.smtp' order by id desc limit 1`;
    const all = await database.sql<{ text: string }[]>`select details::text as text from audit_log where action = 'settings.smtp'`;

    expect(rows[0]?.actor_label).toBe('user:alice');
    expect(rows[0]?.details.old.recipients).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(rows[0]?.details.new.recipients).toEqual(['security@example.test']);
    expect(rows[0]?.details.new.smtpAuth).toBe('configured');
    expect(rows[0]?.details.smtpAuthChange).toBe('set');
    expect(all.length).toBeGreaterThan(3);
    for (const row of all) {
      expect(row.text).not.toContain(PASSWORD);
      expect(row.text).not.toMatch(/"password"/);
    }
  });

  it('rejects an Operator', async () => {
    const operator: Context = { ...admin, actor: { ...(admin.actor as Extract<Context['actor'], { kind: 'user' }>), role: 'operator' } };

    await expect(getSmtpSettings(operator)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(updateSmtpSettings(operator, settingsInput())).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sendTestEmail(operator, { log })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it.each([
    { overrides: { recipients: [] }, message: /recipients: at least one address/ },
    { overrides: { from: '' }, message: /from: required/ },
    { overrides: { host: 'bad host' }, message: /host: expected a host name/ },
    { overrides: { port: 70000 }, message: /port: expected a whole number/ },
    { overrides: { recipients: ['not-an-address'] }, message: /expected an email address/ },
  ])('rejects $overrides', async ({ overrides, message }) => {
    await expect(updateSmtpSettings(admin, settingsInput(overrides as Partial<SmtpSettingsInput>))).rejects.toThrow(message);
    await expect(updateSmtpSettings(admin, settingsInput(overrides as Partial<SmtpSettingsInput>))).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('test email', () => {
  it('reaches the SMTP server', async () => {
    const before = sink.messages.length;

    const result = await sendTestEmail(admin, { log });

    expect(result.delivered).toBe(true);
    const message = sink.messages[before];
    expect(sink.messages).toHaveLength(before + 1);
    expect(message?.user).toBe('mailer');
    expect(message?.from).toBe('patch-manager@example.test');
    expect(message?.to).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(header(message!.raw, 'subject')).toBe('[Patch Manager] Test email');
  });

  it('reports a rejected login', async () => {
    await updateSmtpSettings(admin, { ...settingsInput(), password: 'wrong-password-1' });

    const result = await sendTestEmail(admin, { log });

    expect(result.delivered).toBe(false);
    if (result.delivered) return;
    expect(result.error.code).toBe('EAUTH');
    expect(result.error.responseCode).toBe(535);
    expect(result.error.message).toMatch(/^SMTP authentication failed; check the username and password \(EAUTH\): 535 /);
  });

  it('reports a server without STARTTLS', async () => {
    await updateSmtpSettings(admin, settingsInput({ requireTls: true }));

    const result = await sendTestEmail(admin, { log });

    expect(result.delivered).toBe(false);
    if (result.delivered) return;
    expect(result.error.code).toBe('ETLS');
    expect(result.error.message).toMatch(/^the SMTP server refused STARTTLS, which the settings require/);
  });

  it('reports a closed port', async () => {
    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.close();
    await updateSmtpSettings(admin, settingsInput({ port }));

    const result = await sendTestEmail(admin, { log });

    expect(result.delivered).toBe(false);
    if (result.delivered) return;
    expect(result.error.code).toBe('ESOCKET');
    expect(result.error.message).toMatch(/ECONNREFUSED/);
  });

  it('scrubs a password the server echoes', async () => {
    const echo = await startSmtpSink({ credentials: { username: 'mailer', password: 'other' }, rejectReply: (sent) => `login ${sent} rejected` });
    try {
      await updateSmtpSettings(admin, settingsInput({ port: echo.port }));

      const result = await sendTestEmail(admin, { log });

      expect(result.delivered).toBe(false);
      expect(JSON.stringify(result)).not.toContain(PASSWORD);
      expect(JSON.stringify(result)).toContain('login [redacted] rejected');
    } finally {
      await echo.close();
    }
  });
});

describe('notices', () => {
  it('sends a failed job notice once', async () => {
    const hostId = await insertHost('web-1');
    const [job] = await database.sql<{ id: string }[]>`
      insert into jobs (action, status, timeout_seconds, created_by, finished_at, deadline_at)
      values ('security', 'failed', 600, 'user:alice', now(), now() + interval '1 hour') returning id`;
    await database.sql`insert into job_hosts (job_id, host_id, status, exit_code, failure_cause, finished_at)
      values (${job!.id}, ${hostId}, 'failed', 100, 'lock-held', now())`;
    const before = sink.messages.length;

    const first = await notifyFailedJobs(system, { log, consoleUrl: CONSOLE_URL });
    const second = await notifyFailedJobs(system, { log, consoleUrl: CONSOLE_URL });

    expect(first.status).toBe('sent');
    expect(second.jobs).toBe(0);
    expect(sink.messages).toHaveLength(before + 1);
    const message = sink.messages[before]!;
    expect(header(message.raw, 'subject')).toBe('[Patch Manager] 1 patch job failed');
    expect(body(message.raw)).toContain(`Job ${job!.id}: security`);
    expect(body(message.raw)).toContain('web-1 lock-held (exit 100)');
    expect(body(message.raw)).toContain(`${CONSOLE_URL}/jobs/${job!.id}`);
  });

  it('sends one email for a flapping host', async () => {
    const hostId = await insertHost('flappy', { lastSeenHoursAgo: 2 });
    const before = sink.messages.length;

    await runMarkOfflineHosts(system, log, 60, CONSOLE_URL);
    await database.sql`update hosts set status = 'online', last_seen_at = now() where id = ${hostId}`;
    await database.sql`update hosts set last_seen_at = now() - interval '2 hours' where id = ${hostId}`;
    await runMarkOfflineHosts(system, log, 60, CONSOLE_URL);

    const [host] = await database.sql<{ status: string }[]>`select status from hosts where id = ${hostId}`;
    const [entry] = await database.sql<{ suppressed: number }[]>`
      select suppressed from notification_log where kind = 'host.offline' and subject = ${hostId}`;
    expect(host?.status).toBe('offline');
    expect(sink.messages).toHaveLength(before + 1);
    expect(header(sink.messages[before]!.raw, 'subject')).toBe('[Patch Manager] 1 host went offline');
    expect(body(sink.messages[before]!.raw)).toContain('flappy, last seen');
    expect(entry?.suppressed).toBe(1);
  });

  it('notifies again after the window', async () => {
    const hostId = await insertHost('flappy-later', { lastSeenHoursAgo: 2 });
    await runMarkOfflineHosts(system, log, 60, CONSOLE_URL);
    await database.sql`update notification_log set last_sent_at = now() - interval '61 minutes' where subject = ${hostId}`;
    await database.sql`update hosts set status = 'online' where id = ${hostId}`;
    const before = sink.messages.length;

    await runMarkOfflineHosts(system, log, 60, CONSOLE_URL);

    expect(sink.messages).toHaveLength(before + 1);
  });

  it('lists many offline hosts in one email', async () => {
    for (let index = 0; index < 5; index++) {
      await insertHost(`rack-${index}`, { lastSeenHoursAgo: 3 });
    }
    const before = sink.messages.length;

    await runMarkOfflineHosts(system, log, 60, CONSOLE_URL);

    expect(sink.messages).toHaveLength(before + 1);
    expect(header(sink.messages[before]!.raw, 'subject')).toBe('[Patch Manager] 5 hosts went offline');
  });

  it('sends nothing while disabled', async () => {
    await updateSmtpSettings(admin, settingsInput({ enabled: false }));
    const hostId = await insertHost('quiet', { lastSeenHoursAgo: 2 });
    const before = sink.messages.length;

    await runMarkOfflineHosts(system, log, 60, CONSOLE_URL);

    const entries = await database.sql`select 1 from notification_log where subject = ${hostId}`;
    expect(sink.messages).toHaveLength(before);
    expect(entries).toHaveLength(0);
  });

  it('reports an expiring certificate daily', async () => {
    const hostId = await insertHost('cert-host');
    await database.sql`insert into certificates (host_id, serial, fingerprint, not_before, not_after, status)
      values (${hostId}, '0a1b2c', 'fp-expiring', now() - interval '80 days', now() + interval '3 days', 'active'),
             (${hostId}, '0a1b2d', 'fp-fresh', now() - interval '1 day', now() + interval '89 days', 'active')`;
    const before = sink.messages.length;

    const first = await notifyExpiringCertificates(system, { log, consoleUrl: CONSOLE_URL });
    await database.sql`update notification_log set last_sent_at = now() - interval '2 hours' where kind = 'certificate.expiring'`;
    const second = await notifyExpiringCertificates(system, { log, consoleUrl: CONSOLE_URL });

    expect(first.status).toBe('sent');
    expect(first.certificates).toBe(1);
    expect(second.status).toBe('suppressed');
    expect(sink.messages).toHaveLength(before + 1);
    expect(body(sink.messages[before]!.raw)).toContain('cert-host: certificate 0a1b2c expires');
  });

  it('sends an audit verification failure', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-email-audit-'));
    try {
      await database.sql`update audit_log set details = '{"tampered": true}' where id = 2`;
      const before = sink.messages.length;

      const outcome = await verifyAuditLog(system, { paths: auditPaths({ configDir: dir, dataDir: dir }), log, trigger: 'request' });
      const again = await notifyStoredAuditFailure(database.db, { log, consoleUrl: CONSOLE_URL });

      expect(outcome.integrity).toBe(false);
      expect(again?.status).toBe('suppressed');
      expect(sink.messages).toHaveLength(before + 1);
      expect(header(sink.messages[before]!.raw, 'subject')).toBe('[Patch Manager] Audit log verification failed');
      expect(body(sink.messages[before]!.raw)).toContain('broken at row 2');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logs', () => {
  it('never contain the SMTP password', () => {
    expect(logText).toContain('test email failed');
    expect(logText).toContain('email notice sent');
    expect(logText).not.toContain(PASSWORD);
    expect(logText).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(logText).not.toContain(Buffer.from(`\u0000mailer\u0000${PASSWORD}`).toString('base64'));
  });
});
