import { RateLimiterRes, type RateLimiterPostgres } from 'rate-limiter-flexible';
import { openPostgresLimiter, postgresJsQueryClient } from '@/lib/auth/mfa/mfa-limiter';
import type { Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { retryAfterSeconds } from './too-many-requests-error';

/** The ceiling a public request counts against: revocation for the CRL and OCSP, public for the rest. */
export type PublicRequestKind = 'public' | 'revocation';

/** The outcome of counting one public request: admitted, or rejected with the seconds to wait. */
export type PublicAdmission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Counts requests to routes that need no session per client address and kind, over
 * the `rate_limits` table so that every server process shares the counts.
 */
export interface PublicLimiter {
  /**
   * Counts one request and returns whether it is within its kind's limit per
   * minute. An address over the limit is then rejected from memory until the
   * window ends, so a flood costs no database query per request. A store failure
   * is raised as it is.
   */
  admit(address: string, kind: PublicRequestKind): Promise<PublicAdmission>;
}

export interface PublicLimiterOptions {
  publicRequestsPerMinute: number;
  revocationRequestsPerMinute: number;
  log: Logger;
}

/** Creates the per-address ceiling of the public routes over the `rate_limits` table that a migration creates. */
export async function createPublicLimiter(sql: Sql, options: PublicLimiterOptions): Promise<PublicLimiter> {
  const limiters: Record<PublicRequestKind, RateLimiterPostgres> = {
    public: await openCeiling(sql, 'public-address', options.publicRequestsPerMinute),
    revocation: await openCeiling(sql, 'revocation-address', options.revocationRequestsPerMinute),
  };

  return {
    async admit(address, kind) {
      const limiter = limiters[kind];
      try {
        await limiter.consume(address);
        return { admitted: true };
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) {
          throw error;
        }

        // Only the first rejection of a window reaches the database with this count, so it is logged once.
        if (error.consumedPoints === limiter.points + 1) {
          options.log.warn({ address, kind, limit: `${limiter.points} per minute` }, 'public request rejected: client address over the limit');
        }
        return { admitted: false, retryAfterSeconds: retryAfterSeconds(error.msBeforeNext) };
      }
    },
  };
}

function openCeiling(sql: Sql, keyPrefix: string, points: number): Promise<RateLimiterPostgres> {
  return openPostgresLimiter({
    storeClient: postgresJsQueryClient(sql),
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix,
    points,
    duration: 60,
    // Blocks the key in this process's memory for the rest of the window once it is over the limit.
    inMemoryBlockOnConsumed: points + 1,
  });
}
