'use client';

import { useState } from 'react';
import { LogOut } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { sendJson } from './post-json';

/** Ends the session on the server and goes to the sign-in page. */
export function SignOutButton() {
  const [pending, setPending] = useState(false);

  async function signOut() {
    setPending(true);
    await sendJson('/api/v1/auth/logout');
    window.location.assign('/login');
  }

  return (
    <Button variant="outline" size="sm" onClick={() => void signOut()} disabled={pending} data-testid="sign-out">
      <LogOut aria-hidden className="size-4" />
      Sign out
    </Button>
  );
}
