'use client';

import { useState } from 'react';
import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { submitKeepingValues } from '@/components/use-kept-form-action';
import { sendJson } from './post-json';

type Method = 'totp' | 'webauthn' | 'recovery';

export interface LoginFormProps {
  returnTo: string;
  /** Shows "Sign in with Microsoft" when SSO is enabled. */
  ssoEnabled?: boolean;
  /** Tells users that password sign-in is limited to break-glass accounts. */
  localLoginRestricted?: boolean;
  /** Second-factor methods of a sign-in that passed its first step elsewhere (SSO); the form starts at the factor step. */
  initialMethods?: Method[];
}

/**
 * The two sign-in steps: username and password, then a second factor (authenticator
 * code, security key or recovery code). A user without a factor goes to enrollment.
 * After a sign-in with Microsoft the form starts at the second step.
 */
export function LoginForm({ returnTo, ssoEnabled = false, localLoginRestricted = false, initialMethods = [] }: LoginFormProps) {
  const [step, setStep] = useState<'password' | 'factor'>(initialMethods.length > 0 ? 'factor' : 'password');
  const [methods, setMethods] = useState<Method[]>(initialMethods);
  const [method, setMethod] = useState<Method>(initialMethods[0] ?? 'totp');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submitPassword(form: FormData) {
    setPending(true);
    setError(null);
    const result = await sendJson<{ next: 'mfa' | 'enroll'; methods: Method[] }>('/api/v1/auth/login', {
      username: String(form.get('username') ?? ''),
      password: String(form.get('password') ?? ''),
    });
    setPending(false);
    if (!result.ok || !result.data) {
      setError(result.error);
      return;
    }
    if (result.data.next === 'enroll') {
      window.location.assign(`/login/enroll?returnTo=${encodeURIComponent(returnTo)}`);
      return;
    }
    setMethods(result.data.methods);
    setMethod(result.data.methods[0] ?? 'totp');
    setStep('factor');
  }

  async function submitCode(form: FormData) {
    setPending(true);
    setError(null);
    const path = method === 'recovery' ? '/api/v1/auth/mfa/recovery' : '/api/v1/auth/mfa/totp';
    const result = await sendJson(path, { code: String(form.get('code') ?? '') });
    finish(result.ok, result.error);
  }

  async function signInWithSecurityKey() {
    setPending(true);
    setError(null);
    try {
      const options = await sendJson<PublicKeyCredentialRequestOptionsJSON>('/api/v1/auth/mfa/webauthn/options');
      if (!options.ok || !options.data) {
        finish(false, options.error);
        return;
      }
      const response = await startAuthentication({ optionsJSON: options.data });
      const result = await sendJson('/api/v1/auth/mfa/webauthn/verify', { response });
      finish(result.ok, result.error);
    } catch (failure) {
      finish(false, failure instanceof Error ? `security key failed: ${failure.message}` : 'security key failed');
    }
  }

  function finish(ok: boolean, message: string | null) {
    if (ok) {
      window.location.assign(returnTo);
      return;
    }
    setPending(false);
    setError(message);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign in to Patch Manager</CardTitle>
        <CardDescription>{step === 'password' ? 'Enter your username and password.' : 'Confirm it is you with a second factor.'}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {error && (
          <Alert variant="destructive" data-testid="login-error">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        )}

        {step === 'password' && ssoEnabled && (
          <div className="grid gap-2">
            <a
              href={`/api/v1/auth/azure/login?returnTo=${encodeURIComponent(returnTo)}`}
              className={buttonVariants({ variant: 'outline' })}
              data-testid="sso-login"
            >
              Sign in with Microsoft
            </a>
            {localLoginRestricted && (
              <p className="text-sm text-muted-foreground" data-testid="local-login-restricted">
                Password sign-in is limited to break-glass Admin accounts.
              </p>
            )}
          </div>
        )}

        {step === 'password' && (
          <form onSubmit={submitKeepingValues(submitPassword, ['password'])} className="grid gap-3" data-testid="password-form">
            <Label htmlFor="username">Username</Label>
            <Input id="username" name="username" autoComplete="username" required />
            <Label htmlFor="password">Password</Label>
            <Input id="password" name="password" type="password" autoComplete="current-password" required />
            <Button type="submit" disabled={pending} data-testid="password-submit">
              Continue
            </Button>
          </form>
        )}

        {step === 'factor' && (
          <>
            {methods.includes('webauthn') && (
              <Button onClick={() => void signInWithSecurityKey()} disabled={pending} data-testid="use-security-key">
                Use security key
              </Button>
            )}
            {method !== 'webauthn' && (
              <form action={submitCode} className="grid gap-3" data-testid="code-form">
                <Label htmlFor="code">{method === 'recovery' ? 'Recovery code' : 'Code from your authenticator app'}</Label>
                <Input
                  id="code"
                  name="code"
                  autoComplete="one-time-code"
                  inputMode={method === 'recovery' ? 'text' : 'numeric'}
                  required
                  data-testid="code-input"
                />
                <Button type="submit" disabled={pending} data-testid="code-submit">
                  Sign in
                </Button>
              </form>
            )}
            <div className="flex flex-wrap gap-2 text-sm">
              {methods.includes('totp') && method !== 'totp' && (
                <Button variant="link" onClick={() => setMethod('totp')} data-testid="use-totp">
                  Use authenticator app
                </Button>
              )}
              {methods.includes('recovery') && method !== 'recovery' && (
                <Button variant="link" onClick={() => setMethod('recovery')} data-testid="use-recovery">
                  Use a recovery code
                </Button>
              )}
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}
