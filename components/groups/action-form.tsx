'use client';

import { AlertCircle, Check } from 'lucide-react';
import type { ReactNode } from 'react';
import type { FormResult } from '@/lib/http/form-result';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { Button } from '@/components/ui/button';

export interface ActionFormProps {
  action: (previous: FormResult, formData: FormData) => Promise<FormResult>;
  submitLabel: string;
  pendingLabel?: string;
  variant?: 'default' | 'destructive' | 'outline';
  testId: string;
  className?: string;
  children?: ReactNode;
}

/**
 * Renders a form posted to a server action. The form keeps its inputs after
 * submitting and shows the action's success or error message below the button.
 */
export function ActionForm({ action, submitLabel, pendingLabel, variant, testId, className, children }: ActionFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, {});

  return (
    <form action={formAction} onSubmit={onSubmit} className={className ?? 'flex flex-col gap-3'} data-testid={testId}>
      {children}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant={variant} disabled={pending} data-testid={`${testId}-submit`}>
          {pending ? (pendingLabel ?? 'Saving…') : submitLabel}
        </Button>
        {state.error && (
          <p role="alert" className="flex items-center gap-1.5 text-sm text-destructive" data-testid={`${testId}-error`}>
            <AlertCircle aria-hidden className="size-4" /> {state.error}
          </p>
        )}
        {state.ok && !state.error && (
          <p role="status" className="flex items-center gap-1.5 text-sm text-muted-foreground" data-testid={`${testId}-ok`}>
            <Check aria-hidden className="size-4" /> {state.ok}
          </p>
        )}
      </div>
    </form>
  );
}
