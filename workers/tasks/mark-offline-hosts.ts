import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { markOfflineHosts } from '@/lib/hosts/mark-offline-hosts';

/** Marks hosts offline that have not checked in for the configured time. */
export async function runMarkOfflineHosts(ctx: Context, log: Logger, offlineAfterSeconds: number): Promise<void> {
  const ids = await markOfflineHosts(ctx, { offlineAfterSeconds });
  if (ids.length > 0) {
    log.info({ hosts: ids.length, offlineAfterSeconds }, 'marked hosts offline');
  }
}
