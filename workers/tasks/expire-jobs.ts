import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { expireJobs } from '@/lib/patching/expire-jobs';

/**
 * Ends job hosts past their deadline or reboot timeout, so no job stays running forever,
 * and advances every open job, which releases held hosts the start gate now allows.
 */
export async function runExpireJobs(ctx: Context, log: Logger): Promise<void> {
  const result = await expireJobs(ctx);
  if (result.hosts > 0) {
    log.info({ hosts: result.hosts, closedJobs: result.jobs.length }, 'timed out job hosts past their deadline');
  }
}
