import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { authChallenges, users } from '@/lib/db/schema';
import { UnauthorizedError } from '@/lib/errors';
import type { Role } from '@/lib/context';
import type { Executor } from '../session-tokens';
import { CHALLENGE_LIFETIME_SECONDS } from '../session-cookies';

/** Step a password sign-in leads to: a second factor, or enrollment of the first one. */
export type ChallengePurpose = 'mfa' | 'enroll';

/** An open sign-in challenge and the user it belongs to. */
export interface LoginChallenge {
  id: string;
  purpose: ChallengePurpose;
  userId: string;
  username: string;
  role: Role;
}

const CHALLENGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function hashChallengeToken(token: string): string {
  return createHash('sha256').update(`login-challenge:${token}`).digest('hex');
}

/**
 * Stores a sign-in challenge after a correct password and returns its token (256
 * random bits) for the challenge cookie. Only the token's SHA-256 is stored. Older
 * open sign-in challenges of the user are deleted, so only the newest can finish.
 */
export async function createLoginChallenge(
  db: Executor,
  options: { userId: string; purpose: ChallengePurpose; now?: Date },
): Promise<string> {
  const now = options.now ?? new Date();
  const token = randomBytes(32).toString('base64url');

  await db.delete(authChallenges).where(and(eq(authChallenges.userId, options.userId), inArray(authChallenges.purpose, ['mfa', 'enroll'])));
  await db.insert(authChallenges).values({
    userId: options.userId,
    purpose: options.purpose,
    tokenHash: hashChallengeToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000),
  });
  return token;
}

/**
 * Finds the open, unexpired challenge of a token with the given purpose whose user
 * is still enabled. Raises UnauthorizedError otherwise, with one message for every
 * case, so the caller learns only that the password step must be repeated.
 */
export async function findLoginChallenge(
  db: Database,
  token: string | null,
  purpose: ChallengePurpose,
  now: Date = new Date(),
): Promise<LoginChallenge> {
  const expired = new UnauthorizedError('the sign-in step is missing or expired; sign in with your password again');
  if (!token || !CHALLENGE_TOKEN_PATTERN.test(token)) {
    throw expired;
  }

  const [row] = await db
    .select({ id: authChallenges.id, userId: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(authChallenges)
    .innerJoin(users, eq(users.id, authChallenges.userId))
    .where(
      and(
        eq(authChallenges.tokenHash, hashChallengeToken(token)),
        eq(authChallenges.purpose, purpose),
        isNull(authChallenges.consumedAt),
        gt(authChallenges.expiresAt, now),
      ),
    );
  if (!row || row.disabledAt !== null) {
    throw expired;
  }

  return { id: row.id, purpose, userId: row.userId, username: row.username, role: row.role as Role };
}

/**
 * Marks a challenge consumed with a conditional UPDATE, so of two requests that
 * finish the same challenge exactly one succeeds; the other gets UnauthorizedError.
 */
export async function consumeLoginChallenge(db: Executor, challengeId: string, now: Date = new Date()): Promise<void> {
  const consumed = await db
    .update(authChallenges)
    .set({ consumedAt: now })
    .where(and(eq(authChallenges.id, challengeId), isNull(authChallenges.consumedAt), gt(authChallenges.expiresAt, now)))
    .returning({ id: authChallenges.id });
  if (consumed.length === 0) {
    throw new UnauthorizedError('the sign-in step is missing or expired; sign in with your password again');
  }
}
