import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { deliverNotice, type NoticeOutcome } from './deliver-notice';
import { consoleLink, listLines, plural, SUBJECT_PREFIX } from './notice-text';

/** Days before `not_after` from which an active host certificate is reported. */
export const CERTIFICATE_WARNING_DAYS = 14;

/** A certificate is reported at most once a day, however short the configured window is. */
const CERTIFICATE_NOTICE_WINDOW_SECONDS = 86_400;

/**
 * Emails one notice listing the active host certificates that expire within
 * CERTIFICATE_WARNING_DAYS or have expired, each at most once a day (or once
 * per window when that is longer). Agents renew before expiry on their own,
 * so a listed certificate means renewal is not happening on that host.
 */
export async function notifyExpiringCertificates(
  ctx: Context,
  options: { log: Logger; consoleUrl?: string | null },
): Promise<NoticeOutcome & { certificates: number }> {
  const certificates = await ctx.db.execute<{ id: string; host_id: string; hostname: string; serial: string; not_after: string; expired: boolean }>(sql`
    select c.id, c.host_id, h.hostname, c.serial,
      to_char(c.not_after at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as not_after,
      c.not_after <= now() as expired
    from certificates c
    join hosts h on h.id = c.host_id and h.removed_at is null
    where c.status = 'active' and c.not_after <= now() + make_interval(days => ${CERTIFICATE_WARNING_DAYS})
    order by c.not_after, c.id`);

  const outcome = await deliverNotice(ctx.db, options.log, {
    kind: 'certificate.expiring',
    subjects: certificates.map((certificate) => certificate.id),
    minWindowSeconds: CERTIFICATE_NOTICE_WINDOW_SECONDS,
    compose: (claimed) => {
      const listed = certificates.filter((certificate) => claimed.includes(certificate.id));
      const lines = listed.map((certificate) => {
        const link = consoleLink(options.consoleUrl, `/hosts/${certificate.host_id}`);
        const when = certificate.expired ? `expired ${certificate.not_after}` : `expires ${certificate.not_after}`;
        return `${certificate.hostname}: certificate ${certificate.serial} ${when}${link ? ` – ${link}` : ''}`;
      });
      return {
        subject: `${SUBJECT_PREFIX} ${plural(listed.length, 'host certificate')} expiring`,
        text: [
          `${plural(listed.length, 'active host certificate')} expire within ${CERTIFICATE_WARNING_DAYS} days or have expired.`,
          'Agents renew their certificates before expiry, so renewal is failing on these hosts; an expired certificate locks the agent out.',
          '',
          ...listLines(lines),
        ].join('\n'),
      };
    },
  });

  return { ...outcome, certificates: certificates.length };
}
