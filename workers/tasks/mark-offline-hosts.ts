import type { Context } from '@/lib/context';
import type { Logger } from '@/lib/log';
import { markOfflineHosts } from '@/lib/hosts/mark-offline-hosts';
import { notifyOfflineHosts } from '@/lib/notifications/notify-offline-hosts';

/**
 * Marks hosts offline that have not checked in for the configured time and
 * emails a notice about them (rate limited per host, so a flapping host does
 * not flood). A failed notice is logged and does not undo the marking.
 */
export async function runMarkOfflineHosts(ctx: Context, log: Logger, offlineAfterSeconds: number, consoleUrl: string): Promise<void> {
  const ids = await markOfflineHosts(ctx, { offlineAfterSeconds });
  if (ids.length === 0) {
    return;
  }

  log.info({ hosts: ids.length, offlineAfterSeconds }, 'marked hosts offline');
  await notifyOfflineHosts(ctx, { hostIds: ids, log, consoleUrl }).catch((error: unknown) =>
    log.error({ err: error, hosts: ids.length }, 'offline host notice failed'),
  );
}
