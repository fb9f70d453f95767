import { sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { sendEmail, SmtpSendError, type EmailContent } from './send-email';
import { readStoredSmtpSettings } from './smtp-settings';

/** The topic of a notice. With a subject id it forms the rate-limit key of notification_log. */
export type NoticeKind = 'job.failed' | 'host.offline' | 'certificate.expiring' | 'audit.verification_failed' | 'schedule.missed';

/** Outcome of a notice: email disabled, every subject inside its window, sent, or send failed. */
export type NoticeStatus = 'disabled' | 'suppressed' | 'sent' | 'failed';

export interface NoticeOutcome {
  status: NoticeStatus;
  /** Subjects this call claimed and so reported (or tried to). */
  claimed: string[];
}

export interface NoticeRequest {
  kind: NoticeKind;
  /** Ids of the things the notice is about, such as host ids; duplicates are ignored. */
  subjects: string[];
  /** Shortest time between two notices about one subject, in seconds; the configured window applies when it is longer. */
  minWindowSeconds?: number;
  /** Builds the email for the subjects that were claimed; never called with an empty list. */
  compose: (claimed: string[]) => Promise<EmailContent> | EmailContent;
}

/**
 * Claims the subjects whose last notice of this kind is older than the window
 * (or that never had one), in one INSERT … ON CONFLICT DO UPDATE, and counts a
 * suppressed notice on the others. Row locks of the upsert make the claim safe
 * across processes: one subject is claimed by one caller per window.
 */
async function claimSubjects(db: Database, kind: NoticeKind, subjects: string[], windowSeconds: number): Promise<string[]> {
  const rows = await db.execute<{ subject: string }>(sql`
    insert into notification_log (kind, subject, last_sent_at)
    select ${kind}, subject, now()
    from jsonb_array_elements_text(${JSON.stringify(subjects)}::jsonb) as subject
    on conflict (kind, subject) do update
      set last_sent_at = excluded.last_sent_at, suppressed = 0, last_error = null
      where notification_log.last_sent_at <= now() - make_interval(secs => ${windowSeconds})
    returning subject`);
  const claimed = rows.map((row) => row.subject);

  const held = subjects.filter((subject) => !claimed.includes(subject));
  if (held.length > 0) {
    await db.execute(sql`
      update notification_log set suppressed = suppressed + 1
      where kind = ${kind} and subject in (select jsonb_array_elements_text(${JSON.stringify(held)}::jsonb))`);
  }
  return claimed;
}

/**
 * Sends one email about the subjects of a notice that are outside their rate
 * window, to the configured recipients. With email disabled nothing is
 * claimed, so enabling it later reports what is still true then. A send that
 * fails is logged and its error stored on the claimed rows. It is not retried
 * before the window ends, because a broken SMTP server would otherwise turn
 * every run into a new attempt. SMTP failures are logged, never raised.
 */
export async function deliverNotice(db: Database, log: Logger, request: NoticeRequest): Promise<NoticeOutcome> {
  const subjects = [...new Set(request.subjects)];
  if (subjects.length === 0) {
    return { status: 'suppressed', claimed: [] };
  }
  const settings = await readStoredSmtpSettings(db);
  if (!settings.enabled) {
    log.debug({ kind: request.kind, subjects: subjects.length }, 'email notices are disabled; notice not sent');
    return { status: 'disabled', claimed: [] };
  }

  const windowSeconds = Math.max(settings.noticeWindowMinutes * 60, request.minWindowSeconds ?? 0);
  const claimed = await claimSubjects(db, request.kind, subjects, windowSeconds);
  if (claimed.length === 0) {
    log.debug({ kind: request.kind, subjects: subjects.length, windowSeconds }, 'notice suppressed inside its rate window');
    return { status: 'suppressed', claimed };
  }

  try {
    const delivery = await sendEmail(settings, await request.compose(claimed));
    log.info({ kind: request.kind, subjects: claimed.length, accepted: delivery.accepted.length }, 'email notice sent');
    return { status: 'sent', claimed };
  } catch (error) {
    if (!(error instanceof SmtpSendError)) {
      throw error;
    }
    log.error({ kind: request.kind, subjects: claimed.length, smtpHost: settings.host, smtpError: error.info }, 'email notice failed');
    await db.execute(sql`
      update notification_log set last_error = ${error.info.message}
      where kind = ${request.kind} and subject in (select jsonb_array_elements_text(${JSON.stringify(claimed)}::jsonb))`);
    return { status: 'failed', claimed };
  }
}
