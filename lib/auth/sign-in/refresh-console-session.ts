import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { UnauthorizedError } from '@/lib/errors';
import { issueAccessToken } from '../issue-access-token';
import { recordBindingFailure } from '../record-binding-failure';
import { rotateRefreshToken } from '../rotate-refresh-token';
import { findRefreshTokenOwner } from '../session-tokens';
import type { SessionCookieValues } from '../session-cookies';
import type { SignInServices } from './services';

/**
 * Exchanges the refresh cookie for a new refresh token and access token. The
 * rotation (`rotateRefreshToken`) locks the presented token, so of two parallel
 * refreshes exactly one succeeds, and presenting a rotated token again revokes the
 * whole session. Every outcome with a known token writes an audit row in the
 * rotation's transaction: `auth.binding_failed` when the request lacks the session's
 * binding (nothing else changes then), else `auth.refresh`. Requests are counted per
 * client address first, then per account once the token names its owner.
 */
export async function refreshConsoleSession(
  ctx: Context,
  request: { refreshToken: string | null; bindingSecret: string | null; clientAddress: string; userAgent: string },
  services: SignInServices,
): Promise<SessionCookieValues> {
  await services.loginLimiter.beginRefresh(request.clientAddress);
  if (!request.refreshToken) {
    throw new UnauthorizedError('no session to refresh; sign in again');
  }

  const ownerId = await findRefreshTokenOwner(ctx.db, request.refreshToken);
  if (ownerId !== null) {
    await services.loginLimiter.beginAccountRefresh(ownerId);
  }

  const rotated = await rotateRefreshToken(ctx, {
    token: request.refreshToken,
    bindingSecret: request.bindingSecret,
    bindToAddress: services.bindSessionsToAddress,
    clientAddress: request.clientAddress,
    userAgent: request.userAgent,
    audit: async (tx, event) => {
      if (event.reason === 'binding-missing' || event.reason === 'binding-mismatch' || event.reason === 'address-mismatch') {
        const failure = { reason: event.reason, sessionId: event.familyId, userId: event.userId, clientAddress: request.clientAddress };
        await recordBindingFailure({ ...failure, presented: 'refresh-token' }, { tx });
        return;
      }
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'auth.refresh',
        target: { kind: 'user', id: event.userId },
        details: { outcome: event.outcome, reason: event.reason, sessionId: event.familyId },
      });
    },
  });

  const access = await issueAccessToken(services.keyStore, {
    userId: rotated.userId,
    role: rotated.role,
    sessionId: rotated.familyId,
    confirmation: { bindingHash: rotated.bindingHash, clientAddress: request.clientAddress },
    issuer: services.issuer,
    audience: services.audience,
  });
  return {
    accessToken: access.token,
    accessExpiresAt: access.expiresAt,
    refreshToken: rotated.refreshToken,
    sessionExpiresAt: rotated.expiresAt,
  };
}
