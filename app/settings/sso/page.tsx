import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AzureSsoForm } from '@/components/settings/azure-sso-form';
import { getAzureSsoSettings } from '@/lib/auth/sso/get-azure-sso-settings';
import { formatGroupMappingLines } from '@/lib/auth/sso/group-mapping-lines';
import { listMappableHostGroups } from '@/lib/auth/sso/list-mappable-host-groups';
import { consoleContext } from '@/lib/console-context';
import { ForbiddenError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { saveAzureSsoSettingsAction, testAzureSsoSettingsAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Single sign-on settings' };

export default async function SsoSettingsPage() {
  const ctx = await consoleContext();
  let settings;
  let hostGroups;
  try {
    settings = await getAzureSsoSettings(ctx, { publicUrl: getRuntime().config.publicUrl });
    hostGroups = await listMappableHostGroups(ctx);
  } catch (error) {
    // Operators get "not found", as for every Admin-only page.
    if (error instanceof ForbiddenError) notFound();
    throw error;
  }

  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Single sign-on</h1>
        <p className="text-sm text-muted-foreground">
          Sign-in with Microsoft Entra ID (OpenID Connect with PKCE). Each change is recorded in the audit log; the client secret never is.
        </p>
      </div>

      <AzureSsoForm
        saveAction={saveAzureSsoSettingsAction}
        testAction={testAzureSsoSettingsAction}
        settings={settings}
        mappingLines={formatGroupMappingLines(settings.groupMappings, hostGroups)}
        hostGroupNames={hostGroups.map((group) => group.name)}
      />
    </div>
  );
}
