import type { Context } from '@/lib/context';
import { countHostStates, type FleetStateCounts } from './count-host-states';
import { countJobOutcomesByDay, type JobOutcomeDay } from './count-job-outcomes-by-day';
import { countJobsToday, type JobsToday } from './count-jobs-today';
import { listMostBehindHosts, type BehindHost } from './list-most-behind-hosts';
import { countSecurityUpdateAges, type SecurityAgeBucket } from './security-update-ages';

/** Every figure of the dashboard, computed at one moment. */
export interface Dashboard {
  generatedAt: Date;
  hosts: FleetStateCounts;
  securityAges: SecurityAgeBucket[];
  jobsToday: JobsToday;
  jobOutcomes: JobOutcomeDay[];
  mostBehind: BehindHost[];
}

/**
 * Computes the dashboard: host states, security updates by age, jobs today,
 * job outcomes of the last `days` days and the hosts most behind. Each figure
 * is one set-based query; they run side by side.
 */
export async function getDashboard(ctx: Context, options: { days?: number; behindLimit?: number; now?: Date } = {}): Promise<Dashboard> {
  const now = options.now ?? new Date();
  const [hosts, securityAges, jobsToday, jobOutcomes, mostBehind] = await Promise.all([
    countHostStates(ctx),
    countSecurityUpdateAges(ctx, { now }),
    countJobsToday(ctx, { now }),
    countJobOutcomesByDay(ctx, { days: options.days ?? 30, now }),
    listMostBehindHosts(ctx, { limit: options.behindLimit ?? 10 }),
  ]);

  return { generatedAt: now, hosts, securityAges, jobsToday, jobOutcomes, mostBehind };
}
