'use client';

import { useActionState } from 'react';
import { CircleCheck, MailWarning, Send } from 'lucide-react';
import type { SmtpTestState } from '@/app/settings/email/actions';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

/** Sends a test email and shows the SMTP server's reply or the failure with its cause. */
export function SmtpTestButton({ action }: { action: (previous: SmtpTestState) => Promise<SmtpTestState> }) {
  const [state, formAction, pending] = useActionState<SmtpTestState>(action, {});
  const result = state.result;

  return (
    <div className="flex flex-col gap-3">
      <form action={formAction}>
        <Button type="submit" variant="outline" disabled={pending} data-testid="smtp-test">
          <Send aria-hidden /> {pending ? 'Sending…' : 'Send test email'}
        </Button>
      </form>
      {state.error && (
        <Alert variant="destructive" data-testid="smtp-test-result" data-delivered="false">
          <MailWarning aria-hidden />
          <AlertTitle>Test email not sent</AlertTitle>
          <AlertDescription>{state.error}</AlertDescription>
        </Alert>
      )}
      {result?.delivered === true && (
        <Alert data-testid="smtp-test-result" data-delivered="true">
          <CircleCheck aria-hidden className="text-success" />
          <AlertTitle>Test email accepted</AlertTitle>
          <AlertDescription>
            The server accepted it for {result.accepted.join(', ') || 'no recipient'}: {result.response}
          </AlertDescription>
        </Alert>
      )}
      {result?.delivered === false && (
        <Alert variant="destructive" data-testid="smtp-test-result" data-delivered="false">
          <MailWarning aria-hidden />
          <AlertTitle>Test email failed</AlertTitle>
          <AlertDescription className="flex flex-col gap-1">
            <p>{result.error.message}</p>
            {result.error.command && (
              <p className="text-xs">
                Rejected command: <code>{result.error.command}</code>
                {result.error.responseCode !== null && <> (reply code {result.error.responseCode})</>}
              </p>
            )}
          </AlertDescription>
        </Alert>
      )}
    </div>
  );
}
