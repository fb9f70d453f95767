'use client';

import { useEffect, useState } from 'react';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { sendJson } from './post-json';
import { RecoveryCodeList } from './recovery-code-list';

interface Enrollment {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

/**
 * First-sign-in enrollment: shows the new TOTP secret as a QR code and as text,
 * confirms it with a code and then shows the ten recovery codes once.
 */
export function EnrollForm({ returnTo }: { returnTo: string }) {
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    void sendJson<Enrollment>('/api/v1/auth/enroll/totp/start').then((result) => {
      if (result.ok && result.data) setEnrollment(result.data);
      else setError(result.error);
    });
  }, []);

  async function confirm(form: FormData) {
    setPending(true);
    setError(null);
    const result = await sendJson<{ recoveryCodes: string[] }>('/api/v1/auth/enroll/totp/confirm', { code: String(form.get('code') ?? '') });
    setPending(false);
    if (!result.ok || !result.data) {
      setError(result.error);
      return;
    }
    setCodes(result.data.recoveryCodes);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Set up your authenticator app</CardTitle>
        <CardDescription>A second factor is required for every sign-in.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {error && (
          <Alert variant="destructive" data-testid="enroll-error">
            <AlertDescription>
              {error} <a className="underline" href="/login">Sign in again</a>
            </AlertDescription>
          </Alert>
        )}
        {enrollment && !codes && (
          <>
            {/* eslint-disable-next-line @next/next/no-img-element -- a data URL needs no image optimisation */}
            <img src={enrollment.qrDataUrl} alt="QR code for the authenticator app" className="size-48" />
            <p className="text-sm">
              Or enter this secret: <code data-testid="totp-secret">{enrollment.secret}</code>
            </p>
            <form action={confirm} className="grid gap-3">
              <Label htmlFor="code">Code from the app</Label>
              <Input id="code" name="code" autoComplete="one-time-code" inputMode="numeric" required data-testid="enroll-code" />
              <Button type="submit" disabled={pending} data-testid="enroll-submit">
                Confirm
              </Button>
            </form>
          </>
        )}
        {codes && (
          <>
            <RecoveryCodeList codes={codes} />
            <Button onClick={() => window.location.assign(returnTo)} data-testid="enroll-continue">
              Continue to the console
            </Button>
          </>
        )}
      </CardContent>
    </Card>
  );
}
