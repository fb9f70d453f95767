import { sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { isAllowed, parseCidrList } from './ip-allowlist';
import {
  IP_ALLOWLIST_KEY,
  networkSettingsInput,
  readNetworkSettings,
  SETTINGS_CHANNEL,
  TRUSTED_PROXIES_KEY,
  type NetworkSettings,
  type NetworkSettingsInput,
} from './network-settings';

/**
 * Replaces the IP allowlist and the trusted proxies (Admin only). A list that
 * would not allow the signed-in Admin's current client address is refused
 * with ConflictError, because saving it would cut the Admin off at once with
 * no way back through the console. The change, a `settings.update` audit row
 * with the old and new values and a NOTIFY on `pm_settings` commit together,
 * so every server and worker process reloads the lists right after the
 * commit and the next connection is checked against them.
 */
export async function updateNetworkSettings(ctx: Context, input: NetworkSettingsInput): Promise<NetworkSettings> {
  assertAdmin(ctx);
  const next = parseInput(networkSettingsInput, input, 'network settings');

  const { actor } = ctx;
  if (actor.kind === 'user' && !isAllowed(actor.address, parseCidrList(next.ipAllowlist))) {
    throw new ConflictError(
      `the new IP allowlist does not include your current client address ${actor.address}, so saving it would lock you out; add ${actor.address} (or a block containing it) to the list first`,
      { field: 'ipAllowlist' },
    );
  }

  return ctx.db.transaction(async (tx) => {
    for (const key of [IP_ALLOWLIST_KEY, TRUSTED_PROXIES_KEY]) {
      await tx.execute(sql`insert into settings (key, value) values (${key}, '[]'::jsonb) on conflict (key) do nothing`);
    }
    await tx.execute(sql`select 1 from settings where key in (${IP_ALLOWLIST_KEY}, ${TRUSTED_PROXIES_KEY}) order by key for update`);
    const old = await readNetworkSettings(tx);

    const values: [string, string[]][] = [
      [IP_ALLOWLIST_KEY, next.ipAllowlist],
      [TRUSTED_PROXIES_KEY, next.trustedProxies],
    ];
    for (const [key, value] of values) {
      await tx.execute(sql`update settings set value = ${JSON.stringify(value)}::jsonb, updated_at = now() where key = ${key}`);
      await tx.execute(sql`select pg_notify(${SETTINGS_CHANNEL}, ${key})`);
    }

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'settings.update',
      target: { kind: 'settings', id: 'security.network' },
      details: { old, new: next },
    });
    return next;
  });
}
