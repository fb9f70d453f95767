import { headers } from 'next/headers';
import type { Context } from '@/lib/context';
import { getRuntime } from '@/lib/runtime';

import { CLIENT_ADDRESS_HEADER } from '@/lib/net/client-address';

/**
 * Builds the context for a console page, route handler or server action. The
 * client address comes from the header server.ts sets from the socket after
 * deleting any value the client sent, so it cannot be forged.
 */
export async function consoleContext(): Promise<Context> {
  const requestHeaders = await headers();
  const address = requestHeaders.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
  return { actor: { kind: 'console', address }, db: getRuntime().database.db };
}
