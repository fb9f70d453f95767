import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { deliverNotice, type NoticeOutcome } from './deliver-notice';
import { consoleLink, listLines, plural, SUBJECT_PREFIX } from './notice-text';

/** Missed runs of one schedule found by one worker tick. */
export interface MissedScheduleRuns {
  scheduleId: string;
  name: string;
  /** Number of occurrences that did not run. */
  count: number;
  first: Date;
  last: Date;
}

/**
 * Emails one notice listing schedules whose runs were missed (after worker or
 * database downtime, for example), each schedule at most once per rate window.
 * The jobs of missed runs were not created; the console shows every run.
 */
export async function notifyMissedScheduleRuns(
  ctx: Context,
  options: { missed: MissedScheduleRuns[]; log: Logger; consoleUrl?: string | null },
): Promise<NoticeOutcome> {
  const byId = new Map(options.missed.map((entry) => [entry.scheduleId, entry]));
  return deliverNotice(ctx.db, options.log, {
    kind: 'schedule.missed',
    subjects: [...byId.keys()],
    compose: (claimed) => {
      const lines = claimed.map((id) => {
        const entry = byId.get(id)!;
        const when =
          entry.count === 1
            ? `at ${entry.first.toISOString()}`
            : `from ${entry.first.toISOString()} to ${entry.last.toISOString()}`;
        const link = consoleLink(options.consoleUrl, `/schedules/${id}`);
        return `${entry.name}: ${plural(entry.count, 'run')} missed ${when}${link ? ` – ${link}` : ''}`;
      });
      return {
        subject: `${SUBJECT_PREFIX} ${plural(claimed.length, 'schedule')} missed runs`,
        text: [
          'These scheduled patch jobs were due while the worker was not running (or more than the grace period late), so they were not started:',
          '',
          ...listLines(lines, claimed.length),
          '',
          'Each schedule continues with its next run. Start a job by hand if the missed run is still needed.',
        ].join('\n'),
      };
    },
  });
}
