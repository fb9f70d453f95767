import { RateLimiterRes, type RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Sql } from '@/lib/db/client';
import { RateLimitedError } from '@/lib/errors';
import { openPostgresLimiter, postgresJsQueryClient } from './mfa/mfa-limiter';

/** Raised when an account name, a client address or a refresh caller made too many attempts. */
export class TooManySignInAttemptsError extends RateLimitedError {
  /** Seconds until the next attempt is counted again, for a Retry-After header. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`too many sign-in attempts; try again in ${retryAfterSeconds} seconds`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A password attempt: the typed username (an unknown one counts too) and the client address. */
export interface LoginAttempt {
  username: string;
  clientAddress: string;
}

/**
 * Counts password sign-in attempts per account name and address, per account name,
 * and per client address, and refresh requests per client address and per account, in
 * PostgreSQL so every server process shares the counts. Password keys use the typed
 * username, so an unknown name is limited exactly like a real one and the limit
 * reveals nothing about which accounts exist.
 */
export interface LoginLimiter {
  /** Counts one password attempt before the password is checked; raises TooManySignInAttemptsError over a limit. */
  beginLogin(attempt: LoginAttempt): Promise<void>;
  /** Clears the account's count from this address and gives the account and the address a point back after a correct password. */
  recordLoginSuccess(attempt: LoginAttempt): Promise<void>;
  /** Counts one refresh request of a client address; raises TooManySignInAttemptsError over the limit. */
  beginRefresh(clientAddress: string): Promise<void>;
  /**
   * Counts one refresh request of the account that owns the presented refresh token.
   * Raises TooManySignInAttemptsError over the limit.
   */
  beginAccountRefresh(userId: string): Promise<void>;
}

export interface LoginLimiterOptions {
  /** Password attempts per account name from one client address within one window (default 5). */
  maxAttemptsPerAccountAndAddress?: number;
  /**
   * Password attempts per account name from all addresses within one window (default 100).
   * It slows a distributed guessing attack, and it is far above the per-address limit
   * so that a single attacker cannot lock the real user out.
   */
  maxAttemptsPerAccount?: number;
  /** Password attempts per client address within one window (default 30, because NAT puts many users behind one address). */
  maxAttemptsPerAddress?: number;
  /** Window of the password limits in seconds (default 900). */
  windowSeconds?: number;
  /** Refresh requests per client address per minute (default 60). */
  maxRefreshesPerMinute?: number;
  /**
   * Refresh requests per account per minute, from all addresses (default 30). A browser
   * refreshes about once per 15-minute access token, so even many tabs and devices stay
   * far below it.
   */
  maxRefreshesPerAccountPerMinute?: number;
}

/** Creates the sign-in limiter over the `rate_limits` table that a migration creates. */
export async function createLoginLimiter(sql: Sql, options: LoginLimiterOptions = {}): Promise<LoginLimiter> {
  const storeClient = postgresJsQueryClient(sql);
  const windowSeconds = options.windowSeconds ?? 900;
  const common = { storeClient, tableName: 'rate_limits', tableCreated: true } as const;

  const perAccountAndAddress = await openPostgresLimiter({
    ...common,
    keyPrefix: 'login-account-address',
    points: options.maxAttemptsPerAccountAndAddress ?? 5,
    duration: windowSeconds,
  });
  const perAccount = await openPostgresLimiter({ ...common, keyPrefix: 'login-account', points: options.maxAttemptsPerAccount ?? 100, duration: windowSeconds });
  const perAddress = await openPostgresLimiter({ ...common, keyPrefix: 'login-address', points: options.maxAttemptsPerAddress ?? 30, duration: windowSeconds });
  const refreshes = await openPostgresLimiter({ ...common, keyPrefix: 'refresh-address', points: options.maxRefreshesPerMinute ?? 60, duration: 60 });
  const accountRefreshes = await openPostgresLimiter({
    ...common,
    keyPrefix: 'refresh-account',
    points: options.maxRefreshesPerAccountPerMinute ?? 30,
    duration: 60,
  });

  return {
    async beginLogin(attempt) {
      await consumeAll([
        [perAccountAndAddress, `${accountKey(attempt.username)}|${attempt.clientAddress}`],
        [perAccount, accountKey(attempt.username)],
        [perAddress, attempt.clientAddress],
      ]);
    },

    async recordLoginSuccess(attempt) {
      await perAccountAndAddress.delete(`${accountKey(attempt.username)}|${attempt.clientAddress}`);
      await perAccount.reward(accountKey(attempt.username), 1);
      await perAddress.reward(attempt.clientAddress, 1);
    },

    async beginRefresh(clientAddress) {
      await consumeAll([[refreshes, clientAddress]]);
    },

    async beginAccountRefresh(userId) {
      await consumeAll([[accountRefreshes, userId]]);
    },
  };
}

/**
 * Deletes every sign-in counter of an account, for an operator who unlocks it
 * from the command line. Returns the number of counters removed.
 */
export async function unlockAccount(sql: Sql, username: string): Promise<number> {
  const key = accountKey(username);
  const rows = await sql`
    delete from rate_limits
    where key = ${`login-account:${key}`} or key like ${`login-account-address:${key.replace(/[\\%_]/g, (ch) => `\\${ch}`)}|%`}
    returning key`;
  return rows.length;
}

/** Account keys are case-insensitive, as usernames are; the length bound keeps keys within the 255-character column. */
function accountKey(username: string): string {
  return username.trim().toLowerCase().slice(0, 200);
}

async function consumeAll(pairs: [RateLimiterPostgres, string][]): Promise<void> {
  const results = await Promise.allSettled(pairs.map(([limiter, key]) => limiter.consume(key)));
  let retryAfterMs = 0;
  let limited = false;

  for (const result of results) {
    if (result.status === 'fulfilled') {
      continue;
    }
    if (!(result.reason instanceof RateLimiterRes)) {
      // A store failure must not open the door: the attempt is refused with the cause.
      throw result.reason;
    }
    limited = true;
    retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext);
  }

  if (limited) {
    throw new TooManySignInAttemptsError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
}
