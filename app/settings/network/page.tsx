import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { NetworkSettingsForm } from '@/components/settings/network-settings-form';
import { consoleContext } from '@/lib/console-context';
import { ForbiddenError } from '@/lib/errors';
import { originDefaultsFromConfig } from '@/lib/net/allowed-origins';
import { getNetworkSettings } from '@/lib/net/get-network-settings';
import { getRuntime } from '@/lib/runtime';
import { saveNetworkSettingsAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Network access settings' };

export default async function NetworkSettingsPage() {
  const ctx = await consoleContext();
  let settings;
  try {
    settings = await getNetworkSettings(ctx, originDefaultsFromConfig(getRuntime().config));
  } catch (error) {
    // Operators get "not found", as for every Admin-only page.
    if (error instanceof ForbiddenError) notFound();
    throw error;
  }

  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Network access</h1>
        <p className="text-sm text-muted-foreground">
          Changes apply to the next request in every server and worker process. Each change is recorded in the audit log with the old
          and new lists.
        </p>
      </div>
      <NetworkSettingsForm action={saveNetworkSettingsAction} settings={settings} clientAddress={ctx.actor.address} />
    </div>
  );
}
