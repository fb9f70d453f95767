import { ValidationError } from '@/lib/errors';
import { getLogger } from '@/lib/log';
import { isUuid, revokeFamily, type SessionContext, type SessionRevocationReason } from './session-tokens';

/**
 * Revokes one session (refresh token family), as on logout. Its refresh tokens stop
 * working at once and `isSessionActive` turns false, so access tokens carrying it as
 * `sid` are rejected by the per-request check. Revoking an unknown or already revoked
 * session is not an error; `revoked` is then 0.
 */
export async function revokeSession(
  ctx: SessionContext,
  options: { familyId: string; reason: SessionRevocationReason; now?: Date },
): Promise<{ revoked: number }> {
  if (!isUuid(options.familyId)) {
    throw new ValidationError(`familyId: "${options.familyId}" is not a UUID`, { field: 'familyId' });
  }

  const revoked = await revokeFamily(ctx.db, options.familyId, options.reason, options.now ?? new Date());
  if (revoked > 0) {
    getLogger().info({ familyId: options.familyId, reason: options.reason }, 'session revoked');
  }
  return { revoked };
}
