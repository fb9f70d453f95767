'use client';

import { useActionState } from 'react';
import { Ban } from 'lucide-react';
import type { CancelJobState } from '@/app/jobs/[id]/actions';
import { Button } from '@/components/ui/button';

/** Renders the cancel button of a queued or running job, with the error when the cancel is rejected. */
export function CancelJobButton({ jobId, action }: { jobId: string; action: (previous: CancelJobState, formData: FormData) => Promise<CancelJobState> }) {
  const [state, formAction, pending] = useActionState(action, {});

  return (
    <form action={formAction} className="flex items-center gap-2">
      <input type="hidden" name="jobId" value={jobId} />
      <Button type="submit" variant="outline" disabled={pending} data-testid="cancel-job">
        <Ban aria-hidden /> {pending ? 'Cancelling…' : 'Cancel job'}
      </Button>
      {state.error && (
        <span className="text-sm text-destructive" data-testid="cancel-error">
          {state.error}
        </span>
      )}
    </form>
  );
}
