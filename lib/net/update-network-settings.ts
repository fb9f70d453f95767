import { sql } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { ALLOWED_ORIGINS_KEY, effectiveAllowedOrigins, NO_ORIGIN_DEFAULTS, type OriginDefaults } from './allowed-origins';
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
  type NetworkSettingsView,
} from './network-settings';
import { normalizeOrigin } from './origins';

/** The facts the allowed origins lock-out check needs about the request making the change. */
export interface OriginCheck {
  /** The request's Origin header; null when the client sent none, as scripts do. */
  requestOrigin: string | null;
  /** The config file list and the public URL, which apply when the stored list is empty. */
  defaults: OriginDefaults;
}

/**
 * Raises ConflictError when the new lists would cut off the user making the
 * change. With the connection facts the caller's address is resolved under
 * the new trusted proxies, so dropping the proxy an Admin comes through is
 * caught too. Without them the current client address is checked.
 */
function assertNoLockout(ctx: Context, next: Pick<NetworkSettings, 'ipAllowlist' | 'trustedProxies'>, connection: ClientConnection | null): void {
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
 * Raises ConflictError when the new allowed origins would reject an origin
 * that the current list allows and the Admin's console uses. Those are the
 * Origin of the request making the change and the public URL's origin, where
 * the server redirects every browser. Without the public URL's origin in the
 * list, the console's own jobs WebSocket would be rejected.
 */
function assertConsoleOriginKept(old: NetworkSettings, next: NetworkSettings, check: OriginCheck): void {
  const before = effectiveAllowedOrigins(old.allowedOrigins, check.defaults);
  const after = effectiveAllowedOrigins(next.allowedOrigins, check.defaults);
  const consoleOrigins: [string | null, string][] = [
    [check.requestOrigin === null ? null : normalizeOrigin(check.requestOrigin), 'the origin of the page making this change'],
    [check.defaults.publicUrl === null ? null : normalizeOrigin(check.defaults.publicUrl), "the origin of the console's public URL"],
  ];
  for (const [origin, what] of consoleOrigins) {
    if (origin === null || !before.includes(origin) || after.includes(origin)) continue;
    const source = next.allowedOrigins.length === 0 ? ' (an empty list falls back to the config file list or the public URL)' : '';
    throw new ConflictError(
      `the new allowed origins${source} leave out ${origin}, ${what}, so the console would lose its live job output; add ${origin} to the list first`,
      { field: 'allowedOrigins' },
    );
  }
}

/**
 * Replaces the IP allowlist, the trusted proxies and, when the input has
 * them, the allowed origins (Admin only). Settings that would not allow the
 * signed-in Admin's own requests are rejected with ConflictError, because
 * saving them would cut the Admin off at once with no way back through the
 * console. `connection` carries the request's peer and forwarding headers for
 * that check, and `origins` the request's Origin and the fallback origins for
 * the same check on the allowed origins. The change, a `settings.update`
 * audit row with the old and new values and a NOTIFY on `pm_settings` commit
 * together, so every server and worker process reloads the lists right after
 * the commit.
 */
export async function updateNetworkSettings(
  ctx: Context,
  input: NetworkSettingsInput,
  connection: ClientConnection | null = null,
  origins: OriginCheck = { requestOrigin: null, defaults: NO_ORIGIN_DEFAULTS },
): Promise<NetworkSettingsView> {
  assertAdmin(ctx);
  const parsed = parseInput(networkSettingsInput, input, 'network settings');
  assertNoLockout(ctx, parsed, connection);

  const keys = [IP_ALLOWLIST_KEY, TRUSTED_PROXIES_KEY, ALLOWED_ORIGINS_KEY];
  return ctx.db.transaction(async (tx) => {
    for (const key of keys) {
      await tx.execute(sql`insert into settings (key, value) values (${key}, '[]'::jsonb) on conflict (key) do nothing`);
    }
    await tx.execute(sql`select 1 from settings where key in (${IP_ALLOWLIST_KEY}, ${TRUSTED_PROXIES_KEY}, ${ALLOWED_ORIGINS_KEY}) order by key for update`);
    const old = await readNetworkSettings(tx);
    const next: NetworkSettings = {
      ipAllowlist: parsed.ipAllowlist,
      trustedProxies: parsed.trustedProxies,
      allowedOrigins: parsed.allowedOrigins ?? old.allowedOrigins,
    };
    assertConsoleOriginKept(old, next, origins);

    const values: [string, string[]][] = [
      [IP_ALLOWLIST_KEY, next.ipAllowlist],
      [TRUSTED_PROXIES_KEY, next.trustedProxies],
      [ALLOWED_ORIGINS_KEY, next.allowedOrigins],
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
    return { ...next, effectiveAllowedOrigins: effectiveAllowedOrigins(next.allowedOrigins, origins.defaults) };
  });
}
