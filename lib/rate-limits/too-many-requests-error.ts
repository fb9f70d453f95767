import { RateLimitedError } from '@/lib/errors';

/** Raised when a client address is over a request limit; the request was not processed. */
export class TooManyRequestsError extends RateLimitedError {
  /** Seconds until the limit's window ends, for a Retry-After header. */
  readonly retryAfterSeconds: number;

  constructor(subject: string, retryAfterSeconds: number) {
    super(`too many ${subject} from this address; try again in ${retryAfterSeconds} seconds`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Converts a limiter's milliseconds before the next allowed request to whole seconds, at least 1. */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
