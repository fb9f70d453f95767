import { UnauthorizedError } from '@/lib/errors';

/** Stable codes of access token failures, one per check of `verifyAccessToken`. */
export type TokenErrorCode =
  | 'malformed'
  | 'alg_not_allowed'
  | 'typ_invalid'
  | 'crit_unsupported'
  | 'kid_unknown'
  | 'key_expired'
  | 'signature_invalid'
  | 'expired'
  | 'lifetime_invalid'
  | 'not_yet_valid'
  | 'issuer_invalid'
  | 'audience_invalid'
  | 'claim_missing';

// Kept on globalThis for the reason lib/errors.ts gives: the server's key store and
// the Next.js bundle load separate copies of this module.
function defineTokenError() {
  /**
   * An access token failed verification. `code` names the check that failed, for logs and
   * tests, and clients get only the generic message of `toUnauthorizedError`, so a caller
   * cannot probe which check its forged token failed.
   */
  class TokenError extends Error {
    readonly code: TokenErrorCode;

    constructor(code: TokenErrorCode, message: string, options: { cause?: unknown } = {}) {
      super(message, { cause: options.cause });
      this.name = 'TokenError';
      this.code = code;
    }
  }

  return TokenError;
}

const TOKEN_ERROR_KEY = Symbol.for('patch-manager.token-error');
const SharedTokenError = ((globalThis as { [TOKEN_ERROR_KEY]?: ReturnType<typeof defineTokenError> })[TOKEN_ERROR_KEY] ??= defineTokenError());

/**
 * An access token failed verification. `code` names the check that failed, for logs and
 * tests, and clients get only the generic message of `toUnauthorizedError`.
 */
export const TokenError = SharedTokenError;
export type TokenError = InstanceType<typeof SharedTokenError>;

/** Converts a TokenError to the UnauthorizedError callers raise, keeping it as the cause. */
export function toUnauthorizedError(error: TokenError): UnauthorizedError {
  return new UnauthorizedError('access token is invalid or expired; refresh the session or sign in again', {
    cause: error,
  });
}
