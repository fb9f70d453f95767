import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { readNetworkSettings, type NetworkSettings } from './network-settings';

/** Returns the IP allowlist and the trusted proxies (Admin only). */
export async function getNetworkSettings(ctx: Context): Promise<NetworkSettings> {
  assertAdmin(ctx);
  return readNetworkSettings(ctx.db);
}
