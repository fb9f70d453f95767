import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SmtpSettingsForm } from '@/components/settings/smtp-settings-form';
import { SmtpTestButton } from '@/components/settings/smtp-test-button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { consoleContext } from '@/lib/console-context';
import { ForbiddenError } from '@/lib/errors';
import { getSmtpSettings } from '@/lib/notifications/get-smtp-settings';
import { saveSmtpSettingsAction, sendTestEmailAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Email settings' };

export default async function EmailSettingsPage() {
  const ctx = await consoleContext();
  let settings;
  try {
    settings = await getSmtpSettings(ctx);
  } catch (error) {
    // Operators get "not found", as for every Admin-only page.
    if (error instanceof ForbiddenError) notFound();
    throw error;
  }

  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Email</h1>
        <p className="text-sm text-muted-foreground">
          Notices about failed jobs, hosts going offline, host certificates about to expire and audit log verification failures go to the
          recipients below. Each notice about the same job, host, certificate or broken audit row is sent at most once per notice window.
        </p>
      </div>

      <SmtpSettingsForm action={saveSmtpSettingsAction} settings={settings} />

      <Card>
        <CardHeader>
          <CardTitle>Test the settings</CardTitle>
          <CardDescription>Sends a test email with the saved settings to the recipients, even while notices are disabled.</CardDescription>
        </CardHeader>
        <CardContent>
          <SmtpTestButton action={sendTestEmailAction} />
        </CardContent>
      </Card>
    </div>
  );
}
