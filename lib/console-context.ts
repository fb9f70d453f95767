import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import type { UserActor } from '@/lib/auth/authenticate-access-token';
import type { Context } from '@/lib/context';
import { UnauthorizedError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { CLIENT_ADDRESS_HEADER } from '@/lib/net/client-address';
import { REQUEST_PATH_HEADER } from '@/lib/auth/session-cookies';


/** A context whose actor is a signed-in user. */
export type UserContext = Context & { actor: UserActor };

/**
 * Builds the context for a console page, route handler or server action from the
 * request's access token (cookie or Bearer header). Raises UnauthorizedError without
 * a valid token, an active session and an enabled user. The client address comes
 * from the header server.ts sets from the socket after deleting any value the
 * client sent, so it cannot be forged.
 */
export async function consoleContext(): Promise<UserContext> {
  const requestHeaders = await headers();
  const address = requestHeaders.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
  const actor = await authenticateRequest(requestHeaders, address);
  return { actor, db: getRuntime().database.db };
}

/**
 * Builds the context of a request made before sign-in (the sign-in and setup
 * endpoints, host enrollment): the actor is the client address only.
 */
export async function anonymousContext(): Promise<Context> {
  const requestHeaders = await headers();
  const address = requestHeaders.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
  return { actor: { kind: 'console', address }, db: getRuntime().database.db };
}

/**
 * Returns the signed-in user's context for a page, or redirects to the sign-in page
 * with a `returnTo` of the requested path. The request gate redirects first, so
 * this is the second layer that keeps a page safe if the gate's matcher misses it.
 */
export async function requireUser(): Promise<UserContext> {
  try {
    return await consoleContext();
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      const requested = (await headers()).get(REQUEST_PATH_HEADER) ?? '/hosts';
      redirect(`/login?returnTo=${encodeURIComponent(requested)}`);
    }
    throw error;
  }
}

/** Like `requireUser`, and answers "not found" to a signed-in user whose current role is not Admin. */
export async function requireAdmin(): Promise<UserContext> {
  const ctx = await requireUser();
  if (ctx.actor.role !== 'admin') {
    notFound();
  }
  return ctx;
}
