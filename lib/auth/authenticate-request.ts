import { UnauthorizedError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { authenticateAccessToken, type UserActor } from './authenticate-access-token';
import { accessTokenFrom, ACCESS_TOKEN_AUDIENCE } from './session-cookies';

/**
 * Authenticates a request from its `Authorization: Bearer` header or access cookie
 * with the process's key store and database. Raises UnauthorizedError when no token
 * is present or `authenticateAccessToken` rejects it.
 */
export async function authenticateRequest(headers: { get(name: string): string | null }, address: string): Promise<UserActor> {
  const token = accessTokenFrom(headers);
  if (!token) {
    throw new UnauthorizedError('sign-in required; send the access token cookie or an Authorization: Bearer header');
  }

  const runtime = getRuntime();
  return authenticateAccessToken({
    db: runtime.database.db,
    keyStore: runtime.keyStore,
    issuer: runtime.config.tokenIssuer,
    audience: ACCESS_TOKEN_AUDIENCE,
    token,
    address,
  });
}
