'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { sendJson } from './post-json';
import { RecoveryCodeList } from './recovery-code-list';

interface Props {
  username: string;
  totp: boolean;
  recoveryCodesLeft: number;
  credentials: { id: string; name: string; createdAt: string }[];
  /** Whether the user has a local password; factor changes then require it. */
  hasPassword: boolean;
}

/**
 * Shows the signed-in user's password and second factors. Every factor change needs the
 * current password, entered once in the "Confirm factor changes" card, and signs the user
 * out everywhere else.
 */
export function AccountSettings({ username, totp, recoveryCodesLeft, credentials, hasPassword }: Props) {
  const router = useRouter();
  const [currentPassword, setCurrentPassword] = useState('');
  // Users without a local password (SSO) confirm with a recent second factor instead; the server checks it.
  const confirmation = hasPassword ? { currentPassword } : {};
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [enrollment, setEnrollment] = useState<{ secret: string; qrDataUrl: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  function report(ok: boolean, error: string | null, success: string) {
    setMessage(ok ? { kind: 'ok', text: success } : { kind: 'error', text: error ?? 'request failed' });
    if (ok) router.refresh();
  }

  async function changePassword(form: FormData) {
    const result = await sendJson('/api/v1/account/password', {
      currentPassword: String(form.get('currentPassword') ?? ''),
      newPassword: String(form.get('newPassword') ?? ''),
    });
    report(result.ok, result.error, 'Password changed; your other sessions were signed out.');
  }

  async function startTotp() {
    const result = await sendJson<{ secret: string; qrDataUrl: string }>('/api/v1/account/totp/start');
    if (result.ok && result.data) setEnrollment(result.data);
    else report(false, result.error, '');
  }

  async function confirmTotp(form: FormData) {
    const result = await sendJson('/api/v1/account/totp/confirm', { code: String(form.get('code') ?? ''), ...confirmation });
    if (result.ok) setEnrollment(null);
    report(result.ok, result.error, 'Authenticator app added.');
  }

  async function removeTotp() {
    const result = await sendJson('/api/v1/account/totp', confirmation, 'DELETE');
    report(result.ok, result.error, 'Authenticator app removed.');
  }

  async function addSecurityKey(form: FormData) {
    try {
      const options = await sendJson<PublicKeyCredentialCreationOptionsJSON>('/api/v1/account/webauthn/options');
      if (!options.ok || !options.data) {
        report(false, options.error, '');
        return;
      }
      const response = await startRegistration({ optionsJSON: options.data });
      const result = await sendJson('/api/v1/account/webauthn', { response, name: String(form.get('name') ?? ''), ...confirmation });
      report(result.ok, result.error, 'Security key added.');
    } catch (failure) {
      report(false, failure instanceof Error ? `security key failed: ${failure.message}` : 'security key failed', '');
    }
  }

  async function renameKey(id: string, name: string) {
    const result = await sendJson(`/api/v1/account/webauthn/${encodeURIComponent(id)}`, { name }, 'PATCH');
    report(result.ok, result.error, 'Security key renamed.');
  }

  async function removeKey(id: string) {
    const result = await sendJson(`/api/v1/account/webauthn/${encodeURIComponent(id)}`, confirmation, 'DELETE');
    report(result.ok, result.error, 'Security key removed.');
  }

  async function regenerateCodes() {
    const result = await sendJson<{ recoveryCodes: string[] }>('/api/v1/account/recovery-codes', confirmation);
    if (result.ok && result.data) setCodes(result.data.recoveryCodes);
    report(result.ok, result.error, 'New recovery codes created; the old ones no longer work.');
  }

  return (
    <div className="grid gap-6">
      <h1 className="text-2xl font-semibold">Account: {username}</h1>
      {message && (
        <Alert variant={message.kind === 'ok' ? 'default' : 'destructive'} data-testid="account-message" data-kind={message.kind}>
          <AlertDescription>{message.text}</AlertDescription>
        </Alert>
      )}

      <Card>
        <CardHeader>
          <CardTitle>Password</CardTitle>
          <CardDescription>Changing it signs you out on every other device.</CardDescription>
        </CardHeader>
        <CardContent>
          <form action={changePassword} className="grid max-w-sm gap-3">
            <Label htmlFor="currentPassword">Current password</Label>
            <Input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" required />
            <Label htmlFor="newPassword">New password (at least 12 characters)</Label>
            <Input id="newPassword" name="newPassword" type="password" autoComplete="new-password" required />
            <Button type="submit">Change password</Button>
          </form>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Confirm factor changes</CardTitle>
          <CardDescription>
            {hasPassword
              ? 'Adding or removing an authenticator app or security key, and creating recovery codes, needs your current password.'
              : 'Your account has no password: factor changes work for 5 minutes after you sign in. Sign in again if they are refused.'}
          </CardDescription>
        </CardHeader>
        {hasPassword && (
          <CardContent>
            <div className="grid max-w-sm gap-3">
              <Label htmlFor="factorPassword">Current password</Label>
              <Input
                id="factorPassword"
                type="password"
                autoComplete="current-password"
                value={currentPassword}
                onChange={(event) => setCurrentPassword(event.target.value)}
              />
            </div>
          </CardContent>
        )}
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Authenticator app</CardTitle>
          <CardDescription>{totp ? 'An authenticator app is set up.' : 'No authenticator app is set up.'}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          {totp && (
            <Button variant="outline" onClick={() => void removeTotp()} className="w-fit">
              Remove authenticator app
            </Button>
          )}
          {!totp && !enrollment && (
            <Button onClick={() => void startTotp()} className="w-fit">
              Set up authenticator app
            </Button>
          )}
          {enrollment && (
            <form action={confirmTotp} className="grid max-w-sm gap-3">
              {/* eslint-disable-next-line @next/next/no-img-element -- a data URL needs no image optimisation */}
              <img src={enrollment.qrDataUrl} alt="QR code for the authenticator app" className="size-48" />
              <code>{enrollment.secret}</code>
              <Label htmlFor="totpCode">Code from the app</Label>
              <Input id="totpCode" name="code" inputMode="numeric" required />
              <Button type="submit">Confirm</Button>
            </form>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Security keys</CardTitle>
          <CardDescription>Passkeys and hardware keys (WebAuthn) with user verification.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          <ul className="grid gap-2" data-testid="security-keys">
            {credentials.map((credential) => (
              <li key={credential.id} className="flex items-center gap-2" data-testid="security-key">
                <span className="font-medium">{credential.name || 'Unnamed key'}</span>
                <span className="text-sm text-muted-foreground">added {credential.createdAt.slice(0, 10)}</span>
                <Button
                  variant="link"
                  onClick={() => {
                    const name = window.prompt('New name', credential.name);
                    if (name !== null) void renameKey(credential.id, name);
                  }}
                >
                  Rename
                </Button>
                <Button variant="link" onClick={() => void removeKey(credential.id)}>
                  Remove
                </Button>
              </li>
            ))}
          </ul>
          <form action={addSecurityKey} className="flex max-w-sm items-end gap-2">
            <div className="grid gap-1">
              <Label htmlFor="keyName">Name</Label>
              <Input id="keyName" name="name" placeholder="e.g. laptop" />
            </div>
            <Button type="submit" data-testid="add-security-key">
              Add security key
            </Button>
          </form>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Recovery codes</CardTitle>
          <CardDescription>{recoveryCodesLeft} unused codes left.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          {codes && <RecoveryCodeList codes={codes} />}
          <Button variant="outline" onClick={() => void regenerateCodes()} className="w-fit">
            Create new recovery codes
          </Button>
        </CardContent>
      </Card>
    </div>
  );
}
