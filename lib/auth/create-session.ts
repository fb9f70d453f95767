import { randomUUID } from 'node:crypto';
import { refreshTokens } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import {
  MAX_CLIENT_ADDRESS_LENGTH,
  MAX_USER_AGENT_LENGTH,
  generateRefreshToken,
  hashRefreshToken,
  truncate,
  type SessionContext,
} from './session-tokens';
import { generateBindingSecret, hashBindingSecret } from './session-binding';

/** Maximum absolute session lifetime, in seconds (30 days). */
export const MAX_SESSION_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

export interface CreateSessionOptions {
  userId: string;
  clientAddress: string;
  userAgent: string;
  /** Time from now after which the session ends however active it is, in seconds. */
  absoluteLifetimeSeconds: number;
  now?: Date;
}

export interface CreatedSession {
  /** The refresh token; it exists only in this return value, the database keeps its SHA-256. */
  refreshToken: string;
  /** The token family, which is the session id (`sid` of access tokens). */
  familyId: string;
  /** End of the absolute lifetime. */
  expiresAt: Date;
  /** The binding secret for the `pm_bind` cookie; like the refresh token, only its hash is stored. */
  bindingSecret: string;
  /** SHA-256 of the binding secret, base64url, for the access token's `cnf.bkt` claim. */
  bindingHash: string;
}

/**
 * Starts a session for a user who has passed every sign-in factor: a new refresh token
 * family with its first token, bound to a new random binding secret whose hash every
 * token of the family carries. The caller checks the credentials and the user's state
 * first; this function trusts `userId`.
 */
export async function createSession(ctx: SessionContext, options: CreateSessionOptions): Promise<CreatedSession> {
  const { absoluteLifetimeSeconds } = options;
  if (
    !Number.isInteger(absoluteLifetimeSeconds) ||
    absoluteLifetimeSeconds < 60 ||
    absoluteLifetimeSeconds > MAX_SESSION_LIFETIME_SECONDS
  ) {
    throw new ValidationError(
      `absoluteLifetimeSeconds: ${absoluteLifetimeSeconds} is invalid; expected whole seconds from 60 to ${MAX_SESSION_LIFETIME_SECONDS}`,
      { field: 'absoluteLifetimeSeconds' },
    );
  }

  const now = options.now ?? new Date();
  const refreshToken = generateRefreshToken();
  const familyId = randomUUID();
  const expiresAt = new Date(now.getTime() + absoluteLifetimeSeconds * 1000);
  const bindingSecret = generateBindingSecret();
  const bindingHash = hashBindingSecret(bindingSecret);

  await ctx.db.insert(refreshTokens).values({
    userId: options.userId,
    familyId,
    tokenHash: hashRefreshToken(refreshToken),
    createdAt: now,
    lastUsedAt: now,
    familyExpiresAt: expiresAt,
    clientAddress: truncate(options.clientAddress, MAX_CLIENT_ADDRESS_LENGTH),
    userAgent: truncate(options.userAgent, MAX_USER_AGENT_LENGTH),
    bindingHash,
  });

  return { refreshToken, familyId, expiresAt, bindingSecret, bindingHash };
}
