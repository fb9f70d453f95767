import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { SsoRefusedError } from './sso-refusal';

/** Maximum length of the detail text kept in an audit row. */
const MAX_DETAIL_LENGTH = 300;

/**
 * Records a refused SSO sign-in: for an SsoRefusedError it writes an
 * `auth.sso.refused` audit row with the reason, the step and the detail, and
 * returns the error for the caller to throw. Any other error is a fault, not a
 * refusal, and is returned unchanged without an audit row.
 */
export async function refuseSsoLogin(ctx: Context, error: unknown, step: 'start' | 'callback'): Promise<unknown> {
  if (!(error instanceof SsoRefusedError)) {
    return error;
  }

  await ctx.db.transaction((tx) =>
    writeAudit(tx, {
      actor: ctx.actor,
      action: 'auth.sso.refused',
      target: null,
      details: { reason: error.reason, step, detail: error.detail.slice(0, MAX_DETAIL_LENGTH) },
    }),
  );
  return error;
}
