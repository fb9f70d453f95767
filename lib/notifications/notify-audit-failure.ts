import { sql } from 'drizzle-orm';
import { LAST_VERIFICATION_KEY, type StoredAuditVerification } from '@/lib/audit/verify-audit-log';
import type { Database } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { deliverNotice, type NoticeOutcome } from './deliver-notice';
import { consoleLink, SUBJECT_PREFIX } from './notice-text';

/**
 * Emails a notice about a failed audit chain verification, keyed by the first
 * broken row, so a persisting break is reported once per rate window and a
 * new break at another row is reported at once. Does nothing for an intact
 * chain. SMTP failures are logged, not raised, so a mail problem cannot make
 * a verification fail.
 */
export async function notifyAuditFailure(
  db: Database,
  options: { verification: StoredAuditVerification; log: Logger; consoleUrl?: string | null },
): Promise<NoticeOutcome | null> {
  const { verification } = options;
  if (verification.integrity) {
    return null;
  }
  const broken = verification.firstBroken;

  return deliverNotice(db, options.log, {
    kind: 'audit.verification_failed',
    subjects: [String(broken?.id ?? 'unknown')],
    compose: () => {
      const link = consoleLink(options.consoleUrl, '/audit');
      return {
        subject: `${SUBJECT_PREFIX} Audit log verification failed`,
        text: [
          `The audit log verification at ${verification.checkedAt} (${verification.trigger}) found the hash chain broken at row ${broken?.id ?? 'unknown'}: ${broken?.reason ?? 'unknown reason'}.`,
          `${verification.rowsChecked} rows were checked.`,
          'Treat the audit log as tampered with until this is explained.',
          ...(link ? ['', link] : []),
        ].join('\n'),
      };
    },
  });
}

/**
 * Reads the latest stored verification outcome and emails a notice when it
 * failed. The worker calls this on every run, so a failure recorded by any
 * process (a request, the schedule, a refused checkpoint) is reported.
 */
export async function notifyStoredAuditFailure(
  db: Database,
  options: { log: Logger; consoleUrl?: string | null },
): Promise<NoticeOutcome | null> {
  const [row] = await db.execute<{ value: StoredAuditVerification }>(sql`select value from settings where key = ${LAST_VERIFICATION_KEY}`);
  if (!row) {
    return null;
  }
  return notifyAuditFailure(db, { ...options, verification: row.value });
}
