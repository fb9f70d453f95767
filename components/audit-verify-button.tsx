'use client';

import { useActionState } from 'react';
import { CircleCheck, ShieldAlert, ShieldCheck } from 'lucide-react';
import type { AuditVerifyState } from '@/app/audit/actions';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

export interface AuditVerifyButtonProps {
  action: (previous: AuditVerifyState) => Promise<AuditVerifyState>;
}

/** Runs the audit chain verification on request and shows its outcome. */
export function AuditVerifyButton({ action }: AuditVerifyButtonProps) {
  const [state, formAction, pending] = useActionState<AuditVerifyState>(action, {});
  const result = state.result;

  return (
    <div className="flex flex-col gap-3">
      <form action={formAction}>
        <Button type="submit" disabled={pending} data-testid="audit-verify">
          <ShieldCheck aria-hidden /> {pending ? 'Verifying…' : 'Verify chain now'}
        </Button>
      </form>
      {result && result.integrity && (
        <Alert data-testid="audit-verify-result" data-integrity="true">
          <CircleCheck aria-hidden className="text-success" />
          <AlertTitle>Chain intact</AlertTitle>
          <AlertDescription>
            {result.rowsChecked} rows checked in {result.durationMs} ms; checkpoints: {result.checkpointStatus}.
          </AlertDescription>
        </Alert>
      )}
      {result && !result.integrity && (
        <Alert variant="destructive" data-testid="audit-verify-result" data-integrity="false">
          <ShieldAlert aria-hidden />
          <AlertTitle>Chain broken at row {result.firstBroken?.id}</AlertTitle>
          <AlertDescription>
            {result.firstBroken?.reason}. {result.rowsChecked} rows checked before it; checkpoints: {result.checkpointStatus}.
          </AlertDescription>
        </Alert>
      )}
    </div>
  );
}
