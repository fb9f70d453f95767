import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { effectiveAllowedOrigins, NO_ORIGIN_DEFAULTS, type OriginDefaults } from './allowed-origins';
import { readNetworkSettings, type NetworkSettingsView } from './network-settings';

/**
 * Returns the IP allowlist, the trusted proxies and the stored allowed origins
 * with the origins in force under `defaults` (Admin only).
 */
export async function getNetworkSettings(ctx: Context, defaults: OriginDefaults = NO_ORIGIN_DEFAULTS): Promise<NetworkSettingsView> {
  assertAdmin(ctx);
  const stored = await readNetworkSettings(ctx.db);
  return { ...stored, effectiveAllowedOrigins: effectiveAllowedOrigins(stored.allowedOrigins, defaults) };
}
