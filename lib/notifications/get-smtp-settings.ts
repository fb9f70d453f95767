import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { readStoredSmtpSettings, toSmtpSettingsView, type SmtpSettingsView } from './smtp-settings';

/** Returns the SMTP settings for an Admin, with the password replaced by `passwordSet`. */
export async function getSmtpSettings(ctx: Context): Promise<SmtpSettingsView> {
  assertAdmin(ctx);

  return toSmtpSettingsView(await readStoredSmtpSettings(ctx.db));
}
