import { RateLimitedError } from '@/lib/errors';
import type { SignInServices } from '../sign-in/services';
import { SsoRefusedError } from './sso-refusal';

/**
 * Counts one SSO request (start or callback) of a client address against the
 * per-address limit the refresh endpoint uses, because both are unauthenticated
 * requests that cost a database write each. Over the limit it raises
 * SsoRefusedError with reason `rate_limited`.
 */
export async function countSsoRequest(services: Pick<SignInServices, 'loginLimiter'>, clientAddress: string): Promise<void> {
  try {
    await services.loginLimiter.beginRefresh(clientAddress);
  } catch (error) {
    if (error instanceof RateLimitedError) {
      throw new SsoRefusedError('rate_limited', clientAddress, { cause: error });
    }
    throw error;
  }
}
