'use client';

import { useState } from 'react';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { submitKeepingValues } from '@/components/use-kept-form-action';
import { sendJson } from './post-json';

/** Creates the first Admin with the setup token the server printed at start. */
export function SetupForm() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(form: FormData) {
    setPending(true);
    setError(null);
    const result = await sendJson('/api/v1/auth/setup', {
      setupToken: String(form.get('setupToken') ?? '').trim(),
      username: String(form.get('username') ?? ''),
      password: String(form.get('password') ?? ''),
    });
    if (result.ok) {
      window.location.assign('/login');
      return;
    }
    setPending(false);
    setError(result.error);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Create the first Admin</CardTitle>
        <CardDescription>Paste the setup token the server printed when it started.</CardDescription>
      </CardHeader>
      <CardContent>
        {error && (
          <Alert variant="destructive" className="mb-3" data-testid="setup-error">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        )}
        <form onSubmit={submitKeepingValues(submit)} className="grid gap-3" data-testid="setup-form">
          <Label htmlFor="setupToken">Setup token</Label>
          <Input id="setupToken" name="setupToken" autoComplete="off" required />
          <Label htmlFor="username">Username</Label>
          <Input id="username" name="username" autoComplete="username" required />
          <Label htmlFor="password">Password (at least 12 characters)</Label>
          <Input id="password" name="password" type="password" autoComplete="new-password" required />
          <Button type="submit" disabled={pending} data-testid="setup-submit">
            Create Admin
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
