import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { notifyExpiringCertificates } from '@/lib/notifications/notify-expiring-certificates';
import { notifyFailedJobs } from '@/lib/notifications/notify-failed-jobs';
import { notifyStoredAuditFailure } from '@/lib/notifications/notify-audit-failure';

/**
 * Sends the email notices that come from stored state: jobs that finished as
 * failed since the last run, host certificates about to expire, and a failed
 * audit verification. Each notice is rate limited on its own, and one failing
 * check does not stop the others.
 */
export async function runNotifications(ctx: Context, log: Logger, consoleUrl: string): Promise<void> {
  const checks = [
    { name: 'failed jobs', run: () => notifyFailedJobs(ctx, { log, consoleUrl }) },
    { name: 'expiring certificates', run: () => notifyExpiringCertificates(ctx, { log, consoleUrl }) },
    { name: 'audit verification', run: () => notifyStoredAuditFailure(ctx.db, { log, consoleUrl }) },
  ];

  const failures: unknown[] = [];
  for (const check of checks) {
    try {
      await check.run();
    } catch (error) {
      log.error({ err: error, check: check.name }, 'notification check failed');
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} notification checks failed`);
  }
}
