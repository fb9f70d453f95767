import { UnauthorizedError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { authenticateAccessToken, type UserActor } from './authenticate-access-token';
import { bindingSecretFrom } from './session-binding';
import { accessTokenFrom, ACCESS_TOKEN_AUDIENCE } from './session-cookies';

/**
 * Authenticates a request from its `Authorization: Bearer` header or access cookie,
 * and its binding secret from the `X-PM-Binding` header or the `pm_bind` cookie, with
 * the process's key store, database and `auth.bind_sessions_to_address` setting.
 * Raises UnauthorizedError when no token is present or `authenticateAccessToken`
 * rejects it.
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
    bindingSecret: bindingSecretFrom(headers),
    bindToAddress: runtime.config.bindSessionsToAddress,
  });
}
