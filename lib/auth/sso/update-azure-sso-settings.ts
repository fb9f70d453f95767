import { inArray, sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import {
  AZURE_SSO_SETTINGS_KEY,
  azureSsoSettingsInput,
  readStoredAzureSsoSettings,
  toAzureSsoSettingsView,
  type AzureSsoSettingsInput,
  type AzureSsoSettingsView,
  type StoredAzureSsoSettings,
} from './azure-sso-settings';

/**
 * Returns the settings as an audit row records them: never the client secret, only whether
 * one is stored (`clientAuth`). The audit writer rejects keys that contain "secret",
 * so the fields are named after client authentication.
 */
function auditView(settings: StoredAzureSsoSettings) {
  const { clientSecret, ...rest } = settings;
  return { ...rest, clientAuth: clientSecret === '' ? 'none' : 'configured' };
}

/**
 * Replaces the Entra ID sign-in settings (Admin only) and writes a
 * `settings.azure_sso` audit row with the old and new values in the same
 * transaction. The client secret is write-only: an absent `clientSecret` keeps
 * the stored one, `null` removes it, and the audit row records only whether it
 * changed (`clientAuthChanged`). Enabling requires a stored or new secret, and every mapped host
 * group must exist. The settings row is locked while it changes.
 */
export async function updateAzureSsoSettings(ctx: Context, input: AzureSsoSettingsInput, options: { publicUrl: string }): Promise<AzureSsoSettingsView> {
  assertAdmin(ctx);
  const parsed = parseInput(azureSsoSettingsInput, input, 'Azure SSO settings');

  const hostGroupIds = [...new Set(parsed.groupMappings.flatMap((mapping) => mapping.hostGroupIds))];

  return ctx.db.transaction(async (tx) => {
    if (hostGroupIds.length > 0) {
      const found = await tx.select({ id: hostGroups.id }).from(hostGroups).where(inArray(hostGroups.id, hostGroupIds));
      const missing = hostGroupIds.filter((id) => !found.some((row) => row.id === id));
      if (missing.length > 0) {
        throw new ValidationError(`groupMappings.hostGroupIds: host group ${missing[0]} not found; pick an existing host group`, {
          field: 'groupMappings',
        });
      }
    }

    await tx.execute(sql`
      insert into settings (key, value) values (${AZURE_SSO_SETTINGS_KEY}, '{}'::jsonb)
      on conflict (key) do nothing`);
    await tx.execute(sql`select 1 from settings where key = ${AZURE_SSO_SETTINGS_KEY} for update`);
    const old = await readStoredAzureSsoSettings(tx);

    const { clientSecret, ...fields } = parsed;
    const next: StoredAzureSsoSettings = {
      ...fields,
      clientSecret: clientSecret === undefined ? old.clientSecret : (clientSecret ?? ''),
    };
    if (next.enabled && next.clientSecret === '') {
      throw new ValidationError('clientSecret: required to enable SSO; enter the client secret of the app registration', { field: 'clientSecret' });
    }

    await tx.execute(sql`
      update settings set value = ${JSON.stringify(next)}::jsonb, updated_at = now()
      where key = ${AZURE_SSO_SETTINGS_KEY}`);
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'settings.azure_sso',
      target: { kind: 'settings', id: AZURE_SSO_SETTINGS_KEY },
      details: { old: auditView(old), new: auditView(next), clientAuthChanged: next.clientSecret !== old.clientSecret },
    });

    return toAzureSsoSettingsView(next, options.publicUrl);
  });
}
