import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Sql } from '@/lib/db/client';
import { RateLimitedError } from '@/lib/errors';

/** Raised when a user or client address has too many failed second-factor attempts. */
export class TooManyAttemptsError extends RateLimitedError {
  /** Seconds until the next attempt is counted again, for a Retry-After header. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`too many failed second-factor attempts; try again in ${retryAfterSeconds} seconds`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The user and client address of a second-factor attempt. Without an address only the per-user limit applies. */
export interface MfaAttempt {
  userId: string;
  clientAddress?: string;
}

/**
 * Counts second-factor attempts per user and per client address in PostgreSQL, so
 * every server process shares the counts.
 */
export interface MfaLimiter {
  /**
   * Counts one attempt before the factor is checked. Raises TooManyAttemptsError
   * when the user or the address is over its limit, and then the factor is not checked at all.
   */
  beginAttempt(attempt: MfaAttempt): Promise<void>;
  /** Clears the user's count and gives the address its point back after a verified factor. */
  recordSuccess(attempt: MfaAttempt): Promise<void>;
}

export interface MfaLimiterOptions {
  /** Failed attempts per user within one window (default 5). */
  maxFailuresPerUser?: number;
  /** Failed attempts per client address within one window (default 20, because NAT puts many users behind one address). */
  maxFailuresPerAddress?: number;
  /** Window length in seconds; the counts reset when it ends (default 300). */
  windowSeconds?: number;
  /** Table the counters live in (default `rate_limits`, created by a migration). */
  tableName?: string;
}

/**
 * Creates the second-factor limiter over rate-limiter-flexible's PostgreSQL store.
 * Every attempt consumes a point before the factor is checked, so parallel guesses
 * cannot slip past the limit. A success resets the user's count.
 */
export async function createMfaLimiter(sql: Sql, options: MfaLimiterOptions = {}): Promise<MfaLimiter> {
  const windowSeconds = options.windowSeconds ?? 300;
  const tableName = options.tableName ?? 'rate_limits';
  const storeClient = postgresJsQueryClient(sql);

  // The table comes from a migration (drizzle/0004_rate_limits.sql), because the
  // application role may not run the CREATE TABLE rate-limiter-flexible would send.
  const perUser = await openPostgresLimiter({
    storeClient,
    tableName,
    keyPrefix: 'mfa-user',
    points: options.maxFailuresPerUser ?? 5,
    duration: windowSeconds,
    tableCreated: true,
  });
  const perAddress = await openPostgresLimiter({
    storeClient,
    tableName,
    keyPrefix: 'mfa-address',
    points: options.maxFailuresPerAddress ?? 20,
    duration: windowSeconds,
    tableCreated: true,
  });

  return {
    async beginAttempt(attempt) {
      const consumed = [perUser.consume(attempt.userId)];
      if (attempt.clientAddress) {
        consumed.push(perAddress.consume(attempt.clientAddress));
      }

      const results = await Promise.allSettled(consumed);
      let retryAfterMs = 0;
      for (const result of results) {
        if (result.status === 'fulfilled') {
          continue;
        }
        if (!(result.reason instanceof RateLimiterRes)) {
          // A store failure must not open the door: the attempt is refused with the cause.
          throw result.reason;
        }
        retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext);
      }

      if (results.some((result) => result.status === 'rejected')) {
        throw new TooManyAttemptsError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
      }
    },

    async recordSuccess(attempt) {
      await perUser.delete(attempt.userId);
      if (attempt.clientAddress) {
        await perAddress.reward(attempt.clientAddress, 1);
      }
    },
  };
}

/**
 * Runs one second-factor check under the limiter: counts the attempt first, and
 * resets the user's count when `check` resolves. A rejected check keeps its point.
 * Without a limiter the check runs unthrottled.
 */
export async function throttleAttempt<T>(limiter: MfaLimiter | undefined, attempt: MfaAttempt, check: () => Promise<T>): Promise<T> {
  if (!limiter) {
    return check();
  }

  await limiter.beginAttempt(attempt);

  const result = await check();

  await limiter.recordSuccess(attempt);
  return result;
}

/** Opens one RateLimiterPostgres and waits until it is ready. */
export async function openPostgresLimiter(options: ConstructorParameters<typeof RateLimiterPostgres>[0]): Promise<RateLimiterPostgres> {
  let limiter: RateLimiterPostgres | undefined;

  // The callback runs once the table exists, synchronously when `tableCreated` is set.
  await new Promise<void>((resolve, reject) => {
    limiter = new RateLimiterPostgres({ storeType: 'pool', clearExpiredByTimeout: true, ...options }, (error?: Error) =>
      error ? reject(error) : resolve(),
    );
  });

  return limiter!;
}

/**
 * Adapts postgres.js to the `query({ text, values })` → `{ rows, rowCount }` shape of
 * node-postgres that RateLimiterPostgres calls. The statement name it passes is ignored.
 */
export function postgresJsQueryClient(sql: Sql) {
  return {
    async query(query: { text: string; values?: unknown[] }) {
      const rows = await sql.unsafe(query.text, (query.values ?? []) as never[]);
      return { rows, rowCount: rows.count };
    },
  };
}
