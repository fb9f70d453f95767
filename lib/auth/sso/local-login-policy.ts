import type { Database } from '@/lib/db/client';
import { readStoredAzureSsoSettings } from './azure-sso-settings';

/** The message a password sign-in outside the break-glass list gets. */
export const LOCAL_LOGIN_RESTRICTED_MESSAGE = 'password sign-in is restricted to break-glass Admin accounts; use "Sign in with Microsoft"';

/**
 * Returns whether a password sign-in of this username is allowed. While SSO is
 * enabled with "restrict local login", only the listed break-glass usernames may
 * sign in with a password, and only as Admins (`role`, when the user exists).
 * Without SSO enabled the restriction does not apply, because the other users
 * would have no way to sign in at all.
 */
export async function isLocalLoginAllowed(db: Pick<Database, 'execute'>, username: string, role?: string): Promise<boolean> {
  const settings = await readStoredAzureSsoSettings(db);
  if (!settings.enabled || !settings.restrictLocalLogin) {
    return true;
  }
  if (!settings.breakGlassUsernames.includes(username.toLowerCase())) {
    return false;
  }
  return role === undefined || role === 'admin';
}
