import { sql } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { deliverNotice, type NoticeOutcome } from './deliver-notice';
import { consoleLink, listLines, plural, SUBJECT_PREFIX } from './notice-text';

/**
 * Emails one notice listing hosts that were just marked offline, each host at
 * most once per rate window. So a host that flaps between online and offline
 * produces one email per window, and an outage of many hosts produces one
 * email, not one per host.
 */
export async function notifyOfflineHosts(
  ctx: Context,
  options: { hostIds: string[]; log: Logger; consoleUrl?: string | null },
): Promise<NoticeOutcome> {
  return deliverNotice(ctx.db, options.log, {
    kind: 'host.offline',
    subjects: options.hostIds,
    compose: async (claimed) => {
      const hosts = await ctx.db.execute<{ id: string; hostname: string; last_seen: string | null }>(sql`
        select id, hostname, to_char(last_seen_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as last_seen
        from hosts
        where id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(claimed)}::jsonb))
        order by hostname
        limit 51`);
      const lines = hosts.map((host) => {
        const link = consoleLink(options.consoleUrl, `/hosts/${host.id}`);
        return `${host.hostname}, last seen ${host.last_seen ?? 'never'}${link ? ` – ${link}` : ''}`;
      });
      return {
        subject: `${SUBJECT_PREFIX} ${plural(claimed.length, 'host')} went offline`,
        text: [
          `${plural(claimed.length, 'host has', 'hosts have')} stopped checking in and ${claimed.length === 1 ? 'is' : 'are'} now marked offline:`,
          '',
          ...listLines(lines, claimed.length),
        ].join('\n'),
      };
    },
  });
}
