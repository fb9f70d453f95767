'use client';

import { useActionState } from 'react';
import type { RevokeTokenState } from '@/app/enrollment/actions';
import { confirmFirst } from '@/components/confirm-first';
import { Button } from '@/components/ui/button';

/** Renders the Revoke button of one enrollment token row, with the error of a failed attempt beside it. */
export function RevokeEnrollmentTokenButton(props: {
  tokenId: string;
  action: (previous: RevokeTokenState, formData: FormData) => Promise<RevokeTokenState>;
}) {
  const [state, revoke, revoking] = useActionState(props.action, {});

  return (
    <form
      action={revoke}
      onSubmit={confirmFirst('Revoke this enrollment token? Hosts can no longer enroll or download the agent with it; hosts already enrolled keep their certificates.')}
      className="flex items-center justify-end gap-2"
    >
      <input type="hidden" name="tokenId" value={props.tokenId} />
      {state.error && (
        <span role="alert" className="text-sm text-destructive">
          {state.error}
        </span>
      )}
      <Button type="submit" size="sm" variant="destructive" disabled={revoking} data-testid="revoke-token">
        {revoking ? 'Revoking…' : 'Revoke'}
      </Button>
    </form>
  );
}
