import { sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { parseInput } from '@/lib/validation';
import {
  readStoredSmtpSettings,
  SMTP_SETTINGS_KEY,
  smtpSettingsInput,
  toSmtpSettingsView,
  type SmtpSettingsInput,
  type SmtpSettingsView,
  type StoredSmtpSettings,
} from './smtp-settings';

/** The settings as an audit row records them: no password, only whether one is stored. */
function auditView(settings: StoredSmtpSettings) {
  const { password, ...rest } = settings;
  return { ...rest, smtpAuth: password === '' ? 'none' : 'configured' };
}

/**
 * Replaces the SMTP settings (Admin only) and writes a `settings.smtp` audit
 * row with the old and new values in the same transaction. The password is
 * write-only: an absent `password` keeps the stored one, `null` removes it,
 * and the audit row records only whether it was set, removed or kept.
 * The row is locked while it changes, so concurrent updates cannot both
 * record the same old value.
 */
export async function updateSmtpSettings(ctx: Context, input: SmtpSettingsInput): Promise<SmtpSettingsView> {
  assertAdmin(ctx);
  const parsed = parseInput(smtpSettingsInput, input, 'SMTP settings');

  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into settings (key, value) values (${SMTP_SETTINGS_KEY}, '{}'::jsonb)
      on conflict (key) do nothing`);
    await tx.execute(sql`select 1 from settings where key = ${SMTP_SETTINGS_KEY} for update`);
    const old = await readStoredSmtpSettings(tx);

    const { password, ...fields } = parsed;
    const next: StoredSmtpSettings = {
      ...fields,
      password: password === undefined ? old.password : (password ?? ''),
    };
    await tx.execute(sql`
      update settings set value = ${JSON.stringify(next)}::jsonb, updated_at = now()
      where key = ${SMTP_SETTINGS_KEY}`);

    let smtpAuthChange: 'set' | 'removed' | 'kept' = 'kept';
    if (typeof password === 'string') {
      smtpAuthChange = 'set';
    } else if (password === null && old.password !== '') {
      smtpAuthChange = 'removed';
    }
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'settings.smtp',
      target: { kind: 'settings', id: SMTP_SETTINGS_KEY },
      details: { old: auditView(old), new: auditView(next), smtpAuthChange },
    });

    return toSmtpSettingsView(next);
  });
}
