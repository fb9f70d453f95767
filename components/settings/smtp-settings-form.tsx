'use client';

import { AlertCircle, CircleCheck, Save } from 'lucide-react';
import type { SmtpFormState } from '@/app/settings/email/actions';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { SmtpSettingsView } from '@/lib/notifications/smtp-settings';

export interface SmtpSettingsFormProps {
  action: (previous: SmtpFormState, formData: FormData) => Promise<SmtpFormState>;
  settings: SmtpSettingsView;
}

function Checkbox({ name, label, defaultChecked, hint }: { name: string; label: string; defaultChecked: boolean; hint?: string }) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={defaultChecked} className="mt-0.5 size-4" data-testid={`smtp-${name}`} />
      <span>
        <span className="font-medium">{label}</span>
        {hint && <span className="block text-muted-foreground">{hint}</span>}
      </span>
    </label>
  );
}

/**
 * The SMTP settings form. The password field is always empty: the server
 * never sends the stored password, only whether one is set, so an empty field
 * keeps it.
 */
export function SmtpSettingsForm({ action, settings }: SmtpSettingsFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, {});
  const current = state.saved ?? settings;
  const invalid = (field: string) => state.error?.field === field || undefined;

  return (
    <Card>
      <CardHeader>
        <CardTitle>SMTP server</CardTitle>
        <CardDescription>The server&apos;s certificate is always verified when TLS is used.</CardDescription>
      </CardHeader>
      <CardContent>
        <form action={formAction} onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="smtp-form">
          <Checkbox name="enabled" label="Send email notices" defaultChecked={settings.enabled} />

          <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="smtp-host">Host</Label>
              <Input id="smtp-host" name="host" defaultValue={settings.host} placeholder="smtp.example.com" aria-invalid={invalid('host')} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="smtp-port">Port</Label>
              <Input id="smtp-port" name="port" inputMode="numeric" defaultValue={String(settings.port)} aria-invalid={invalid('port')} />
            </div>
          </div>

          <div className="flex flex-col gap-2">
            <Checkbox name="secure" label="Implicit TLS (SMTPS)" defaultChecked={settings.secure} hint="TLS from the first byte, usually port 465." />
            <Checkbox
              name="requireTls"
              label="Require STARTTLS"
              defaultChecked={settings.requireTls}
              hint="Without implicit TLS, refuse to send unless the server upgrades the connection, usually port 587."
            />
          </div>

          <div className="grid gap-4 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="smtp-username">Username</Label>
              <Input id="smtp-username" name="username" autoComplete="off" defaultValue={settings.username} aria-invalid={invalid('username')} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="smtp-password">Password</Label>
              <Input
                id="smtp-password"
                name="password"
                type="password"
                autoComplete="new-password"
                placeholder={current.passwordSet ? 'Stored; leave empty to keep it' : 'Not set'}
                aria-invalid={invalid('password')}
                data-testid="smtp-password"
              />
              {current.passwordSet && <Checkbox name="removePassword" label="Remove the stored password" defaultChecked={false} />}
            </div>
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="smtp-from">Sender address</Label>
            <Input id="smtp-from" name="from" type="email" defaultValue={settings.from} placeholder="patch-manager@example.com" aria-invalid={invalid('from')} />
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="smtp-recipients">Recipients</Label>
            <textarea
              id="smtp-recipients"
              name="recipients"
              rows={3}
              defaultValue={settings.recipients.join('\n')}
              placeholder={'ops@example.com\nsecurity@example.com'}
              aria-invalid={invalid('recipients')}
              className="rounded-md border bg-card px-3 py-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring aria-invalid:border-destructive"
            />
            <p className="text-xs text-muted-foreground">One address per line, at most 50.</p>
          </div>

          <div className="flex w-56 flex-col gap-1.5">
            <Label htmlFor="smtp-window">Notice window (minutes)</Label>
            <Input
              id="smtp-window"
              name="noticeWindowMinutes"
              inputMode="numeric"
              defaultValue={String(settings.noticeWindowMinutes)}
              aria-invalid={invalid('noticeWindowMinutes')}
            />
            <p className="text-xs text-muted-foreground">5 to 10080. Certificate notices repeat at most daily.</p>
          </div>

          {state.error && (
            <Alert variant="destructive">
              <AlertCircle aria-hidden />
              <AlertDescription data-testid="smtp-error">{state.error.message}</AlertDescription>
            </Alert>
          )}
          {state.saved && !state.error && (
            <Alert data-testid="smtp-saved">
              <CircleCheck aria-hidden className="text-success" />
              <AlertDescription>Settings saved{state.saved.enabled ? '; notices are enabled' : '; notices are disabled'}.</AlertDescription>
            </Alert>
          )}

          <div>
            <Button type="submit" disabled={pending} data-testid="smtp-save">
              <Save aria-hidden /> {pending ? 'Saving…' : 'Save'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
