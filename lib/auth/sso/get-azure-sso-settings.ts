import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { readStoredAzureSsoSettings, toAzureSsoSettingsView, type AzureSsoSettingsView } from './azure-sso-settings';

/** Returns the Entra ID sign-in settings for an Admin, with the client secret replaced by `clientSecretSet`. */
export async function getAzureSsoSettings(ctx: Context, options: { publicUrl: string }): Promise<AzureSsoSettingsView> {
  assertAdmin(ctx);

  return toAzureSsoSettingsView(await readStoredAzureSsoSettings(ctx.db), options.publicUrl);
}
