import { sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { resolveConnectionAddress, type ClientConnection } from './client-address';
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
 * Raises ConflictError when the new lists would cut off the user making the
 * change. With the connection facts the caller's address is resolved under
 * the new trusted proxies, so dropping the proxy an Admin comes through is
 * caught too. Without them the current client address is checked.
 */
function assertNoLockout(ctx: Context, next: NetworkSettings, connection: ClientConnection | null): void {
  const { actor } = ctx;
  if (actor.kind !== 'user') return;

  let address = actor.address;
  if (connection) {
    const resolved = resolveConnectionAddress(connection, parseCidrList(next.trustedProxies));
    if (!resolved.ok) {
      throw new ConflictError(
        `with the new trusted proxies your requests would be rejected (${resolved.reason}), so saving them would lock you out; keep the proxy you connect through trusted`,
        { field: 'trustedProxies' },
      );
    }
    address = resolved.address;
  }
  if (isAllowed(address, parseCidrList(next.ipAllowlist))) return;

  const how =
    address === actor.address
      ? `your current client address ${address}`
      : `your client address, which would be ${address} with the new trusted proxies (it is ${actor.address} now)`;
  throw new ConflictError(
    `the new IP allowlist does not include ${how}, so saving it would lock you out; add ${address} (or a block containing it) to the list first`,
    { field: 'ipAllowlist' },
  );
}

/**
 * Replaces the IP allowlist and the trusted proxies (Admin only). Settings
 * that would not allow the signed-in Admin's own requests are rejected with
 * ConflictError, because saving them would cut the Admin off at once with no
 * way back through the console. `connection` carries the request's peer and
 * forwarding headers for that check. The change, a `settings.update` audit
 * row with the old and new values and a NOTIFY on `pm_settings` commit
 * together, so every server and worker process reloads the lists right after
 * the commit.
 */
export async function updateNetworkSettings(
  ctx: Context,
  input: NetworkSettingsInput,
  connection: ClientConnection | null = null,
): Promise<NetworkSettings> {
  assertAdmin(ctx);
  const next = parseInput(networkSettingsInput, input, 'network settings');
  assertNoLockout(ctx, next, connection);

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
