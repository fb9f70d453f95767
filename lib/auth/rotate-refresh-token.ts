import { eq } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Context } from '@/lib/context';
import { refreshTokens, users } from '@/lib/db/schema';
import { UnauthorizedError, ValidationError } from '@/lib/errors';
import { getLogger } from '@/lib/log';
import type { AccessTokenRole } from './issue-access-token';
import type { BindingFailureReason } from './record-binding-failure';
import { bindingMatches } from './session-binding';
import {
  MAX_CLIENT_ADDRESS_LENGTH,
  MAX_USER_AGENT_LENGTH,
  REFRESH_INACTIVITY_SECONDS,
  generateRefreshToken,
  hashRefreshToken,
  isWellFormedRefreshToken,
  revokeFamily,
  truncate,
  type SessionRevocationReason,
  type Transaction,
} from './session-tokens';

/**
 * Time after a rotation during which presenting the rotated token again is rejected
 * without revoking the family, in milliseconds. Two requests that refresh with the same
 * token at once (two browser tabs, a retried request) are a race, not theft, and
 * revoking would sign the user out. A stolen token replayed later than this still
 * revokes the family.
 */
export const ROTATION_RACE_GRACE_MS = 2000;

export interface RotateRefreshTokenOptions {
  token: string;
  /** The binding secret the request presents (`pm_bind` cookie or `X-PM-Binding` header), or null. */
  bindingSecret: string | null;
  /** When true, `clientAddress` must equal the address stored with the presented token. */
  bindToAddress?: boolean;
  /** Sliding inactivity limit in seconds; default 3600. */
  inactivitySeconds?: number;
  clientAddress: string;
  userAgent: string;
  now?: Date;
  /**
   * Runs inside the rotation's transaction for every outcome with a known token, so an
   * audit row commits together with the rotation or revocation it records.
   */
  audit?: (tx: Transaction, event: RefreshAuditEvent) => Promise<void>;
}

/** The result of one refresh, for the audit log. It carries ids only, never token values or hashes. */
export interface RefreshAuditEvent {
  outcome: 'rotated' | 'rejected' | 'revoked';
  /** Reason for a rejection or revocation, absent for `rotated`. */
  reason?: 'revoked' | 'expired' | 'raced' | BindingFailureReason | SessionRevocationReason;
  userId: string;
  familyId: string;
}

export interface RotatedRefreshToken {
  /** The successor token; only its SHA-256 is stored. */
  refreshToken: string;
  userId: string;
  /** The user's current role, for the new access token. */
  role: AccessTokenRole;
  familyId: string;
  /** End of the family's absolute lifetime, unchanged by rotation. */
  expiresAt: Date;
  /** The session's binding hash, unchanged by rotation, for the new access token. */
  bindingHash: string;
}

type Outcome =
  | { kind: 'rotated'; result: RotatedRefreshToken }
  | { kind: 'rejected'; reason: 'unknown' }
  | { kind: 'rejected'; reason: 'revoked' | 'expired' | 'raced' | BindingFailureReason; familyId: string; userId: string }
  | { kind: 'revoked'; reason: SessionRevocationReason; familyId: string; userId: string };

const REJECTION = 'refresh token is invalid or expired; sign in again';

/**
 * Exchanges a refresh token for its successor in one transaction that locks the
 * presented row (`select … for update`), so of two concurrent calls with one token
 * exactly one rotates it. The checks, in order:
 *
 * 1. unknown or malformed token: rejected
 * 2. binding: the presented binding secret does not hash to the family's binding hash
 *    (or the family has none), or with `bindToAddress` the client address differs from
 *    the one stored with the token: rejected, and nothing changes. This runs before the
 *    reuse check, so a stolen token without its binding cannot revoke the family either.
 * 3. token revoked: rejected
 * 4. token already rotated: reuse, so the whole family is revoked (`reuse-detected`),
 *    except within `ROTATION_RACE_GRACE_MS` of the rotation, where it is only rejected
 * 5. family past its absolute lifetime: rejected
 * 6. token unused for more than `inactivitySeconds`: family revoked (`inactive`)
 * 7. user disabled: family revoked (`user-disabled`)
 *
 * Otherwise the token is marked rotated and a successor with the same family and the
 * same absolute expiry is inserted. Every rejection raises the same UnauthorizedError,
 * and revocations are committed before it is raised. For that reason `ctx.db` must be
 * the database itself, not a transaction the caller would roll back on the error. The
 * `audit` option writes audit rows inside this function's transaction instead.
 */
export async function rotateRefreshToken(ctx: Context, options: RotateRefreshTokenOptions): Promise<RotatedRefreshToken> {
  if (ctx.db instanceof PgTransaction) {
    throw new TypeError('rotateRefreshToken must not run inside a transaction, because a rollback would undo a revocation');
  }

  if (!isWellFormedRefreshToken(options.token)) {
    throw new UnauthorizedError(REJECTION);
  }

  const now = options.now ?? new Date();
  const inactivitySeconds = options.inactivitySeconds ?? REFRESH_INACTIVITY_SECONDS;
  if (!Number.isInteger(inactivitySeconds) || inactivitySeconds < 1) {
    throw new ValidationError(`inactivitySeconds: ${inactivitySeconds} is invalid; expected whole seconds of at least 1`, {
      field: 'inactivitySeconds',
    });
  }
  const outcome = await ctx.db.transaction(async (tx): Promise<Outcome> => {
    const result = await rotateLocked(tx, options, now, inactivitySeconds);
    const event = auditEvent(result);
    if (options.audit && event) {
      await options.audit(tx, event);
    }
    return result;
  });

  if (outcome.kind === 'rotated') {
    return outcome.result;
  }

  const log = getLogger();
  if (outcome.kind === 'revoked') {
    const level = outcome.reason === 'reuse-detected' ? 'warn' : 'info';
    log[level](
      { familyId: outcome.familyId, userId: outcome.userId, reason: outcome.reason, clientAddress: options.clientAddress },
      'refresh rejected and session revoked',
    );
  } else {
    const familyId = outcome.reason === 'unknown' ? undefined : outcome.familyId;
    log.info({ familyId, reason: outcome.reason, clientAddress: options.clientAddress }, 'refresh rejected');
  }
  throw new UnauthorizedError(REJECTION);
}

function auditEvent(outcome: Outcome): RefreshAuditEvent | null {
  switch (outcome.kind) {
    case 'rotated':
      return { outcome: 'rotated', userId: outcome.result.userId, familyId: outcome.result.familyId };
    case 'revoked':
      return { outcome: 'revoked', reason: outcome.reason, userId: outcome.userId, familyId: outcome.familyId };
    case 'rejected':
      return outcome.reason === 'unknown'
        ? null
        : { outcome: 'rejected', reason: outcome.reason, userId: outcome.userId, familyId: outcome.familyId };
  }
}

async function rotateLocked(
  tx: Transaction,
  options: RotateRefreshTokenOptions,
  now: Date,
  inactivitySeconds: number,
): Promise<Outcome> {
  const [row] = await tx
    .select({
      id: refreshTokens.id,
      userId: refreshTokens.userId,
      familyId: refreshTokens.familyId,
      lastUsedAt: refreshTokens.lastUsedAt,
      familyExpiresAt: refreshTokens.familyExpiresAt,
      rotatedAt: refreshTokens.rotatedAt,
      revokedAt: refreshTokens.revokedAt,
      clientAddress: refreshTokens.clientAddress,
      bindingHash: refreshTokens.bindingHash,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(options.token)))
    .for('update');

  if (!row) {
    return { kind: 'rejected', reason: 'unknown' };
  }

  const { familyId, userId } = row;
  const bindingFailure = checkBinding(options, row);
  if (bindingFailure !== null) {
    return { kind: 'rejected', reason: bindingFailure, familyId, userId };
  }

  if (row.revokedAt) {
    return { kind: 'rejected', reason: 'revoked', familyId, userId };
  }

  if (row.rotatedAt) {
    if (now.getTime() - row.rotatedAt.getTime() < ROTATION_RACE_GRACE_MS) {
      return { kind: 'rejected', reason: 'raced', familyId, userId };
    }
    await revokeFamily(tx, familyId, 'reuse-detected', now);
    return { kind: 'revoked', reason: 'reuse-detected', familyId, userId };
  }

  if (row.familyExpiresAt.getTime() <= now.getTime()) {
    return { kind: 'rejected', reason: 'expired', familyId, userId };
  }

  if (now.getTime() - row.lastUsedAt.getTime() > inactivitySeconds * 1000) {
    await revokeFamily(tx, familyId, 'inactive', now);
    return { kind: 'revoked', reason: 'inactive', familyId, userId };
  }

  const [user] = await tx
    .select({ role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!user || user.disabledAt) {
    await revokeFamily(tx, familyId, 'user-disabled', now);
    return { kind: 'revoked', reason: 'user-disabled', familyId, userId };
  }

  await tx.update(refreshTokens).set({ rotatedAt: now, lastUsedAt: now }).where(eq(refreshTokens.id, row.id));

  const refreshToken = generateRefreshToken();
  await tx.insert(refreshTokens).values({
    userId,
    familyId,
    tokenHash: hashRefreshToken(refreshToken),
    createdAt: now,
    lastUsedAt: now,
    familyExpiresAt: row.familyExpiresAt,
    clientAddress: truncate(options.clientAddress, MAX_CLIENT_ADDRESS_LENGTH),
    userAgent: truncate(options.userAgent, MAX_USER_AGENT_LENGTH),
    bindingHash: row.bindingHash,
  });

  return {
    kind: 'rotated',
    result: {
      refreshToken,
      userId,
      role: user.role as AccessTokenRole,
      familyId,
      expiresAt: row.familyExpiresAt,
      // checkBinding rejected a family without a binding hash.
      bindingHash: row.bindingHash!,
    },
  };
}

function checkBinding(
  options: RotateRefreshTokenOptions,
  row: { clientAddress: string; bindingHash: string | null },
): BindingFailureReason | null {
  if (options.bindingSecret === null) {
    return 'binding-missing';
  }
  if (!bindingMatches(options.bindingSecret, row.bindingHash)) {
    return 'binding-mismatch';
  }
  if (options.bindToAddress && truncate(options.clientAddress, MAX_CLIENT_ADDRESS_LENGTH) !== row.clientAddress) {
    return 'address-mismatch';
  }
  return null;
}
