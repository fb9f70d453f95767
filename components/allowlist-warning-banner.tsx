import Link from 'next/link';
import { ShieldAlert } from 'lucide-react';
import { consoleContext } from '@/lib/console-context';
import { readNetworkSettings } from '@/lib/net/network-settings';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';

/**
 * Warns while the IP allowlist is empty, which lets every address reach the
 * console and the agent listener; renders nothing once a list is set.
 */
export async function AllowlistWarningBanner() {
  const ctx = await consoleContext();
  const { ipAllowlist } = await readNetworkSettings(ctx.db);
  if (ipAllowlist.length > 0) {
    return null;
  }

  return (
    <Alert data-testid="allowlist-warning-banner">
      <ShieldAlert aria-hidden />
      <AlertTitle>No IP allowlist</AlertTitle>
      <AlertDescription>
        Every address may connect to the console and the agent listener.{' '}
        {ctx.actor.role === 'admin' ? (
          <Link className="font-medium underline" href="/settings/network">
            Restrict access
          </Link>
        ) : (
          'Ask an Admin to set an allowlist.'
        )}
      </AlertDescription>
    </Alert>
  );
}
