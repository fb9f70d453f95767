'use client';

import { startTransition, useActionState, type FormEvent } from 'react';
import { AlertCircle, CircleCheck, FlaskConical, Save } from 'lucide-react';
import type { AzureSsoFormState, AzureSsoTestState } from '@/app/settings/sso/actions';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { AzureSsoSettingsView } from '@/lib/auth/sso/azure-sso-settings';

export interface AzureSsoFormProps {
  saveAction: (previous: AzureSsoFormState, formData: FormData) => Promise<AzureSsoFormState>;
  testAction: (previous: AzureSsoTestState, formData: FormData) => Promise<AzureSsoTestState>;
  settings: AzureSsoSettingsView;
  /** The stored mappings as editable lines. */
  mappingLines: string;
  hostGroupNames: string[];
}

function Checkbox({ name, label, defaultChecked, hint }: { name: string; label: string; defaultChecked: boolean; hint?: string }) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={defaultChecked} className="mt-0.5 size-4" data-testid={`sso-${name}`} />
      <span>
        <span className="font-medium">{label}</span>
        {hint && <span className="block text-muted-foreground">{hint}</span>}
      </span>
    </label>
  );
}

const textareaClass =
  'rounded-md border bg-card px-3 py-2 font-mono text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring aria-invalid:border-destructive';

/**
 * Renders the Entra ID sign-in settings form. Its test button checks the values in
 * the form without saving them. The secret field is always empty: the server sends
 * only whether a secret is stored, so an empty field keeps it.
 */
export function AzureSsoForm({ saveAction, testAction, settings, mappingLines, hostGroupNames }: AzureSsoFormProps) {
  const [saveState, save, saving] = useActionState(saveAction, {});
  const [testState, test, testing] = useActionState(testAction, {});
  const current = saveState.saved ?? settings;
  const invalid = (field: string) => saveState.error?.field === field || undefined;

  // React resets a form after its action runs; submitting through a transition keeps the typed values.
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(event.currentTarget, submitter);
    startTransition(() => (formData.get('intent') === 'test' ? test(formData) : save(formData)));
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Microsoft Entra ID</CardTitle>
        <CardDescription>
          Register a Web app in Entra ID with the redirect URI <code data-testid="sso-redirect-uri">{settings.redirectUri}</code>, a client
          secret and the <code>groups</code> claim (security groups, as object ids) in its ID token. Every user still passes this
          console&apos;s second factor after Microsoft.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="sso-form">
          <Checkbox name="enabled" label="Offer sign-in with Microsoft" defaultChecked={settings.enabled} />

          <div className="grid gap-4 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="sso-tenant">Tenant id</Label>
              <Input id="sso-tenant" name="tenantId" defaultValue={settings.tenantId} aria-invalid={invalid('tenantId')} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="sso-client">Client (application) id</Label>
              <Input id="sso-client" name="clientId" defaultValue={settings.clientId} aria-invalid={invalid('clientId')} />
            </div>
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sso-secret">Client secret</Label>
            <Input
              id="sso-secret"
              name="clientSecret"
              type="password"
              autoComplete="new-password"
              placeholder={current.clientSecretSet ? 'Set; leave empty to keep it' : 'Not set'}
              aria-invalid={invalid('clientSecret')}
              data-testid="sso-client-secret"
            />
            {current.clientSecretSet && <Checkbox name="removeClientSecret" label="Remove the stored secret" defaultChecked={false} />}
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sso-authority">Authority</Label>
            <Input id="sso-authority" name="authority" defaultValue={settings.authority} aria-invalid={invalid('authority')} />
            <p className="text-xs text-muted-foreground">https://login.microsoftonline.com unless your tenant lives in a national cloud.</p>
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sso-mappings">Group mapping</Label>
            <textarea
              id="sso-mappings"
              name="groupMappings"
              rows={5}
              defaultValue={mappingLines}
              placeholder="8c1f0a3e-5d2b-4c8e-9f6a-1b2c3d4e5f60 operator linux servers, web"
              aria-invalid={invalid('groupMappings')}
              className={textareaClass}
            />
            <p className="text-xs text-muted-foreground">
              One line per Entra ID group: its object id, admin or operator, then host group names separated by commas. A user gets the
              highest role of their mapped groups; users in no mapped group are refused. Host groups: {hostGroupNames.join(', ') || 'none yet'}.
            </p>
          </div>

          <Checkbox
            name="restrictLocalLogin"
            label="Restrict password sign-in to break-glass Admins"
            defaultChecked={settings.restrictLocalLogin}
            hint="Applies while sign-in with Microsoft is enabled. Only the Admins listed below may sign in with a password."
          />
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sso-break-glass">Break-glass usernames</Label>
            <textarea
              id="sso-break-glass"
              name="breakGlassUsernames"
              rows={2}
              defaultValue={settings.breakGlassUsernames.join('\n')}
              aria-invalid={invalid('breakGlassUsernames')}
              className={textareaClass}
            />
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="sso-registered-uri">Redirect URI registered in Entra ID (for the test)</Label>
            <Input id="sso-registered-uri" name="registeredRedirectUri" defaultValue={settings.redirectUri} />
          </div>

          {saveState.error && (
            <Alert variant="destructive">
              <AlertCircle aria-hidden />
              <AlertDescription data-testid="sso-error">{saveState.error.message}</AlertDescription>
            </Alert>
          )}
          {saveState.saved && !saveState.error && (
            <Alert data-testid="sso-saved">
              <CircleCheck aria-hidden className="text-success" />
              <AlertDescription>Settings saved; sign-in with Microsoft is {saveState.saved.enabled ? 'enabled' : 'disabled'}.</AlertDescription>
            </Alert>
          )}
          {testState.error && (
            <Alert variant="destructive" data-testid="sso-test-result">
              <AlertDescription>{testState.error}</AlertDescription>
            </Alert>
          )}
          {testState.result && (
            <Alert variant={testState.result.ok ? 'default' : 'destructive'} data-testid="sso-test-result" data-ok={String(testState.result.ok)}>
              <AlertTitle>{testState.result.ok ? 'All checks passed' : 'Some checks failed'}</AlertTitle>
              <AlertDescription>
                <ul className="flex flex-col gap-1">
                  {Object.entries(testState.result.checks).map(([name, check]) => (
                    <li key={name}>
                      {check.ok ? 'OK' : 'Failed'} – {name}: {check.message}
                    </li>
                  ))}
                </ul>
              </AlertDescription>
            </Alert>
          )}

          <div className="flex gap-2">
            <Button type="submit" name="intent" value="save" disabled={saving} data-testid="sso-save">
              <Save aria-hidden /> {saving ? 'Saving…' : 'Save'}
            </Button>
            <Button type="submit" name="intent" value="test" variant="outline" disabled={testing} data-testid="sso-test">
              <FlaskConical aria-hidden /> {testing ? 'Testing…' : 'Test without saving'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
