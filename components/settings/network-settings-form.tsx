'use client';

import { AlertCircle, CircleCheck, Save } from 'lucide-react';
import type { NetworkFormState } from '@/app/settings/network/actions';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import type { NetworkSettingsView } from '@/lib/net/network-settings';

export interface NetworkSettingsFormProps {
  action: (previous: NetworkFormState, formData: FormData) => Promise<NetworkFormState>;
  settings: NetworkSettingsView;
  /** The signed-in Admin's client address as the server resolved it. */
  clientAddress: string;
}

const TEXTAREA =
  'rounded-md border bg-card px-3 py-2 font-mono text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring aria-invalid:border-destructive';

/** Edits the IP allowlist and the trusted proxies, one address or CIDR block per line, and the allowed origins, one per line. */
export function NetworkSettingsForm({ action, settings, clientAddress }: NetworkSettingsFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, {});
  const invalid = (field: string) => state.error?.field === field || undefined;
  const effective = state.saved?.effectiveAllowedOrigins ?? settings.effectiveAllowedOrigins;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Network access</CardTitle>
        <CardDescription>
          Your client address is <span className="font-mono" data-testid="network-client-address">{clientAddress}</span>. A list that
          leaves it out is refused, so you cannot lock yourself out.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form action={formAction} onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="network-form">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="network-allowlist">IP allowlist</Label>
            <textarea
              id="network-allowlist"
              name="ipAllowlist"
              rows={5}
              defaultValue={settings.ipAllowlist.join('\n')}
              placeholder={'192.0.2.0/24\n2001:db8::/32'}
              aria-invalid={invalid('ipAllowlist')}
              className={TEXTAREA}
            />
            <p className="text-xs text-muted-foreground">
              Addresses that may reach the console, the jobs WebSocket and the agent listener. Empty allows every address. Open
              connections from addresses a change removes are closed.
            </p>
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="network-proxies">Trusted proxies</Label>
            <textarea
              id="network-proxies"
              name="trustedProxies"
              rows={3}
              defaultValue={settings.trustedProxies.join('\n')}
              placeholder="10.0.0.5"
              aria-invalid={invalid('trustedProxies')}
              className={TEXTAREA}
            />
            <p className="text-xs text-muted-foreground">
              Reverse proxies whose X-Forwarded-For and X-Real-IP headers are believed. The client is the rightmost forwarded address
              that is not a trusted proxy. Agents connect directly, so the agent listener always uses the connecting address.
            </p>
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="network-origins">Allowed origins</Label>
            <textarea
              id="network-origins"
              name="allowedOrigins"
              rows={3}
              defaultValue={settings.allowedOrigins.join('\n')}
              placeholder="https://patch.example.com:8443"
              aria-invalid={invalid('allowedOrigins')}
              className={TEXTAREA}
            />
            <p className="text-xs text-muted-foreground">
              Browser origins (https, host and optional port) whose pages may open the jobs WebSocket and send API writes. Empty uses
              security.allowed_origins from the config file, or the public URL&apos;s origin when that is empty too. A list that leaves
              out the origin you use the console from is refused.
            </p>
            <p className="text-xs text-muted-foreground">
              In force now:{' '}
              <span className="font-mono" data-testid="network-effective-origins">
                {effective.length > 0 ? effective.join(', ') : 'none, so every jobs WebSocket upgrade is rejected'}
              </span>
            </p>
          </div>

          {state.error && (
            <Alert variant="destructive">
              <AlertCircle aria-hidden />
              <AlertDescription data-testid="network-error">{state.error.message}</AlertDescription>
            </Alert>
          )}
          {state.saved && !state.error && (
            <Alert data-testid="network-saved">
              <CircleCheck aria-hidden className="text-success" />
              <AlertDescription>
                Settings saved{state.saved.ipAllowlist.length === 0 ? '; the allowlist is empty, so every address may connect' : ''}.
              </AlertDescription>
            </Alert>
          )}

          <div>
            <Button type="submit" disabled={pending} data-testid="network-save">
              <Save aria-hidden /> {pending ? 'Saving…' : 'Save'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
