import { asc, eq } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { webauthnCredentials } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { userIdField } from './shared';

export interface WebAuthnCredentialSummary {
  id: string;
  name: string;
  transports: string[];
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Lists the user's WebAuthn credentials, oldest first, without public keys or counters. */
export async function listWebAuthnCredentials(ctx: Context, userId: string): Promise<WebAuthnCredentialSummary[]> {
  const id = parseInput(userIdField, userId, 'user id');

  return ctx.db
    .select({
      id: webauthnCredentials.id,
      name: webauthnCredentials.name,
      transports: webauthnCredentials.transports,
      backedUp: webauthnCredentials.backedUp,
      createdAt: webauthnCredentials.createdAt,
      lastUsedAt: webauthnCredentials.lastUsedAt,
    })
    .from(webauthnCredentials)
    .where(eq(webauthnCredentials.userId, id))
    .orderBy(asc(webauthnCredentials.createdAt), asc(webauthnCredentials.id));
}
