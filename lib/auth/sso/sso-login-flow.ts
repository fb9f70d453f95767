import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { ssoLoginFlows } from '@/lib/db/schema';
import type { Executor } from '../session-tokens';

/** Cookie that binds an SSO sign-in to the browser that started it. */
export const SSO_FLOW_COOKIE = 'pm_sso';

/** Path of the flow cookie: the browser sends it only to the Entra ID sign-in routes. */
export const SSO_FLOW_COOKIE_PATH = '/api/v1/auth/azure';

/** Lifetime of a flow, in seconds (10 minutes), long enough for a sign-in page with MFA at the provider. */
export const SSO_FLOW_LIFETIME_SECONDS = 10 * 60;

const BINDING_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The stored state of one flow. */
export interface SsoLoginFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

function hashBindingToken(token: string): string {
  return createHash('sha256').update(`sso-flow:${token}`).digest('hex');
}

/**
 * Stores a new flow and returns the binding token (256 random bits) for the flow
 * cookie; only its SHA-256 is stored. Expired flows are deleted on the way.
 */
export async function createSsoLoginFlow(db: Executor, flow: SsoLoginFlow, now: Date = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');

  await db.delete(ssoLoginFlows).where(lt(ssoLoginFlows.expiresAt, now));
  await db.insert(ssoLoginFlows).values({
    bindingHash: hashBindingToken(token),
    ...flow,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SSO_FLOW_LIFETIME_SECONDS * 1000),
  });
  return token;
}

/**
 * Consumes the open, unexpired flow of a binding token with a conditional UPDATE
 * and returns it, or null when there is none. Each flow is returned at most once,
 * whatever the callback then decides.
 */
export async function consumeSsoLoginFlow(db: Executor, token: string | null, now: Date = new Date()): Promise<SsoLoginFlow | null> {
  if (!token || !BINDING_TOKEN_PATTERN.test(token)) {
    return null;
  }

  const [row] = await db
    .update(ssoLoginFlows)
    .set({ consumedAt: now })
    .where(and(eq(ssoLoginFlows.bindingHash, hashBindingToken(token)), isNull(ssoLoginFlows.consumedAt), gt(ssoLoginFlows.expiresAt, now)))
    .returning({ state: ssoLoginFlows.state, nonce: ssoLoginFlows.nonce, codeVerifier: ssoLoginFlows.codeVerifier, returnTo: ssoLoginFlows.returnTo });
  return row ?? null;
}

/** Builds the Set-Cookie value of the flow cookie: httpOnly, Secure, SameSite=Lax so it comes back on the provider's top-level redirect. */
export function ssoFlowCookieHeader(token: string): string {
  return `${SSO_FLOW_COOKIE}=${token}; Path=${SSO_FLOW_COOKIE_PATH}; Max-Age=${SSO_FLOW_LIFETIME_SECONDS}; HttpOnly; Secure; SameSite=Lax`;
}

/** Builds the Set-Cookie value that removes the flow cookie. */
export function clearedSsoFlowCookieHeader(): string {
  return `${SSO_FLOW_COOKIE}=; Path=${SSO_FLOW_COOKIE_PATH}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`;
}
