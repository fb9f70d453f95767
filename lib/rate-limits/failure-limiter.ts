import { RateLimiterRes, type RateLimiterPostgres } from 'rate-limiter-flexible';
import { openPostgresLimiter, postgresJsQueryClient } from '@/lib/auth/mfa/mfa-limiter';
import type { Sql } from '@/lib/db/client';
import type { Logger } from '@/lib/log';
import { retryAfterSeconds, TooManyRequestsError } from './too-many-requests-error';

export interface FailureLimiterOptions {
  /** Key prefix in the `rate_limits` table, such as `enroll`. */
  name: string;
  /** Plural noun for messages and logs, such as `enrollment requests`. */
  subject: string;
  /** Failed attempts per client address within one window. */
  maxFailures: number;
  windowSeconds: number;
  /** Attempts per client address per minute, failed or not; unset for no such limit. */
  maxRequestsPerMinute?: number;
  log: Logger;
}

/**
 * Limits attempts that present a secret (an enrollment or setup token) per client
 * address, over the `rate_limits` table so that every server process shares the counts.
 */
export interface FailureLimiter {
  /**
   * Runs `attempt` for `address` unless the address is over a limit, and raises
   * TooManyRequestsError then without calling `attempt`, so the token is not
   * even looked up. Each attempt takes a failure point before it runs, so parallel
   * guesses cannot slip past the limit, and gets it back when it succeeds or when
   * `isFailure` returns false for its error (every error counts by default).
   * A store failure is raised as it is, so the attempt is rejected.
   */
  run<T>(address: string, attempt: () => Promise<T>, options?: { isFailure?: (error: unknown) => boolean }): Promise<T>;
}

/** Creates a failure limiter over the `rate_limits` table that a migration creates. */
export async function createFailureLimiter(sql: Sql, options: FailureLimiterOptions): Promise<FailureLimiter> {
  const common = { storeClient: postgresJsQueryClient(sql), tableName: 'rate_limits', tableCreated: true } as const;
  const failures = await openPostgresLimiter({
    ...common,
    keyPrefix: `${options.name}-failure`,
    points: options.maxFailures,
    duration: options.windowSeconds,
  });
  const requests =
    options.maxRequestsPerMinute === undefined
      ? null
      : await openPostgresLimiter({ ...common, keyPrefix: `${options.name}-request`, points: options.maxRequestsPerMinute, duration: 60 });

  async function admit(address: string): Promise<void> {
    const [failure, request] = await Promise.allSettled([failures.consume(address), requests?.consume(address)]);
    const rejections: { limiter: RateLimiterPostgres; result: RateLimiterRes }[] = [];

    for (const [limiter, outcome] of [[failures, failure], [requests, request]] as const) {
      if (outcome.status === 'fulfilled' || limiter === null) {
        continue;
      }
      if (!(outcome.reason instanceof RateLimiterRes)) {
        throw outcome.reason;
      }
      rejections.push({ limiter, result: outcome.reason });
    }

    if (rejections.length === 0) {
      return;
    }

    // A request rejected only by the per-minute limit never reached the token, so it is no failure.
    if (failure.status === 'fulfilled') {
      await failures.reward(address, 1);
    }

    const first = rejections.find(({ limiter, result }) => result.consumedPoints === limiter.points + 1);
    if (first) {
      const limit = first.limiter === failures ? `${options.maxFailures} failures in ${options.windowSeconds} s` : `${options.maxRequestsPerMinute} per minute`;
      options.log.warn({ address, limit }, `${options.subject} rejected: client address over the limit`);
    }

    const waitMs = Math.max(...rejections.map(({ result }) => result.msBeforeNext));
    throw new TooManyRequestsError(options.subject, retryAfterSeconds(waitMs));
  }

  return {
    async run(address, attempt, runOptions = {}) {
      await admit(address);

      let result;
      try {
        result = await attempt();
      } catch (error) {
        if (runOptions.isFailure && !runOptions.isFailure(error)) {
          await failures.reward(address, 1);
        }
        throw error;
      }

      await failures.reward(address, 1);
      return result;
    },
  };
}
