import { eq } from 'drizzle-orm';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { users } from '@/lib/db/schema';
import { createSession } from '../create-session';
import { issueAccessToken } from '../issue-access-token';
import type { SessionCookieValues } from '../session-cookies';
import type { LoginChallenge } from './login-challenge';
import { consumeLoginChallenge } from './login-challenge';
import type { SignInServices } from './services';

/** A started console session: the cookie values, including the binding secret, and who signed in. */
export interface CompletedLogin extends SessionCookieValues {
  bindingSecret: string;
  userId: string;
  username: string;
  sessionId: string;
}

/**
 * Finishes a sign-in whose second factor the caller has verified: consumes the
 * challenge, starts a session and writes `auth.login`, all in one transaction, then
 * signs the first access token. A challenge consumed by a parallel request makes
 * this fail with UnauthorizedError and nothing is created.
 */
export async function completeLogin(
  ctx: Context,
  challenge: LoginChallenge,
  options: { method: string; clientAddress: string; userAgent: string },
  services: SignInServices,
): Promise<CompletedLogin> {
  const session = await ctx.db.transaction(async (tx) => {
    await consumeLoginChallenge(tx, challenge.id);
    const created = await createSession(
      { actor: ctx.actor, db: tx },
      {
        userId: challenge.userId,
        clientAddress: options.clientAddress,
        userAgent: options.userAgent,
        absoluteLifetimeSeconds: services.sessionLifetimeSeconds,
      },
    );
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, challenge.userId));
    await writeAudit(tx, {
      actor: {
        kind: 'user',
        userId: challenge.userId,
        username: challenge.username,
        role: challenge.role,
        sessionId: created.familyId,
        address: options.clientAddress,
      },
      action: 'auth.login',
      target: { kind: 'user', id: challenge.userId },
      details: { method: options.method, sessionId: created.familyId },
    });
    return created;
  });

  const access = await issueAccessToken(services.keyStore, {
    userId: challenge.userId,
    role: challenge.role,
    sessionId: session.familyId,
    confirmation: { bindingHash: session.bindingHash, clientAddress: options.clientAddress },
    issuer: services.issuer,
    audience: services.audience,
  });

  return {
    accessToken: access.token,
    accessExpiresAt: access.expiresAt,
    refreshToken: session.refreshToken,
    sessionExpiresAt: session.expiresAt,
    bindingSecret: session.bindingSecret,
    userId: challenge.userId,
    username: challenge.username,
    sessionId: session.familyId,
  };
}
