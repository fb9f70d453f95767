import crypto from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/lib/db/client';
import { authChallenges } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';

/** Lifetime of a WebAuthn challenge in milliseconds. */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60_000;

export type WebAuthnPurpose = 'webauthn-register' | 'webauthn-login';

/**
 * The JSON a browser sends back from `navigator.credentials.create()` or `.get()`,
 * as @simplewebauthn/browser serialises it. Contents are checked by the verifier;
 * this only fixes the shape and bounds the sizes.
 */
const base64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/, { error: 'expected base64url' });

export const webAuthnResponseShape = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  response: z
    .object({ clientDataJSON: base64url })
    .catchall(z.union([base64url, z.array(z.string().max(32)).max(16), z.number()])),
});

/** Hash stored in `auth_challenges.token_hash`, so a challenge is found through its unique index. */
function challengeHash(challenge: string): string {
  return crypto.createHash('sha256').update(challenge, 'utf8').digest('hex');
}

/**
 * Stores a WebAuthn challenge for the user, replacing any earlier challenge of the same
 * purpose, so only the newest ceremony of each kind can complete.
 */
export async function storeWebAuthnChallenge(
  db: Database,
  options: { userId: string; purpose: WebAuthnPurpose; challenge: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(authChallenges).where(and(eq(authChallenges.userId, options.userId), eq(authChallenges.purpose, options.purpose)));

    await tx.insert(authChallenges).values({
      userId: options.userId,
      purpose: options.purpose,
      tokenHash: challengeHash(options.challenge),
      webauthnChallenge: options.challenge,
      expiresAt: new Date(Date.now() + WEBAUTHN_CHALLENGE_TTL_MS),
    });
  });
}

/**
 * Marks the challenge quoted in the response's clientDataJSON as consumed and returns
 * it. The challenge must belong to the user and purpose and be unexpired, otherwise
 * UnauthorizedError. A conditional UPDATE lets exactly one request consume it. Callers
 * consume before they verify the response, so a failed verification also uses it up.
 */
export async function consumeWebAuthnChallenge(
  db: Database,
  options: { userId: string; purpose: WebAuthnPurpose; clientDataJSON: string },
): Promise<string> {
  const challenge = quotedChallenge(options.clientDataJSON);

  const [consumed] = await db
    .update(authChallenges)
    .set({ consumedAt: new Date() })
    .where(
      and(
        eq(authChallenges.tokenHash, challengeHash(challenge)),
        eq(authChallenges.userId, options.userId),
        eq(authChallenges.purpose, options.purpose),
        isNull(authChallenges.consumedAt),
        gt(authChallenges.expiresAt, new Date()),
      ),
    )
    .returning({ challenge: authChallenges.webauthnChallenge });

  if (!consumed?.challenge) {
    throw new UnauthorizedError('WebAuthn challenge is unknown, expired or already used; start again');
  }
  return consumed.challenge;
}

function quotedChallenge(clientDataJSON: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch (error) {
    throw new UnauthorizedError('WebAuthn response is invalid: clientDataJSON is not JSON', { cause: error });
  }

  const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
  if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 512) {
    throw new UnauthorizedError('WebAuthn response is invalid: clientDataJSON has no challenge');
  }
  return challenge;
}
