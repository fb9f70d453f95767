import type { RequestLimits } from '@/lib/config/load-config';
import type { Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { createFailureLimiter, type FailureLimiter } from './failure-limiter';
import { createPublicLimiter, type PublicLimiter } from './public-limiter';

/** The per-address limiters of the routes that need no session. */
export interface RequestLimiters {
  /** Enrollment and the enrollment token check of the agent downloads. */
  enrollment: FailureLimiter;
  /** Setup token attempts of first-run setup. */
  setup: FailureLimiter;
  /** The ceiling of every public route, applied by the request gate. */
  publicRequests: PublicLimiter;
}

/** Creates the limiters from the `[limits]` configuration; they share counts with every other server process. */
export async function createRequestLimiters(sql: Sql, limits: RequestLimits, log: Logger): Promise<RequestLimiters> {
  const enrollment = await createFailureLimiter(sql, {
    name: 'enroll',
    subject: 'enrollment requests',
    maxFailures: limits.enrollmentFailures,
    windowSeconds: limits.enrollmentFailureWindowSeconds,
    maxRequestsPerMinute: limits.enrollmentRequestsPerMinute,
    log,
  });
  const setup = await createFailureLimiter(sql, {
    name: 'setup',
    subject: 'failed setup attempts',
    maxFailures: limits.setupFailures,
    windowSeconds: limits.setupFailureWindowSeconds,
    log,
  });
  const publicRequests = await createPublicLimiter(sql, {
    publicRequestsPerMinute: limits.publicRequestsPerMinute,
    revocationRequestsPerMinute: limits.revocationRequestsPerMinute,
    log,
  });

  return { enrollment, setup, publicRequests };
}
