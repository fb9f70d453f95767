'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import type { TlsStrategyFormState } from '@/app/settings/tls/actions';

/** Form that chooses the console certificate: the internal CA's or an uploaded chain and key. */
export function TlsStrategyForm(props: {
  current: 'internal' | 'uploaded';
  action: (previous: TlsStrategyFormState, formData: FormData) => Promise<TlsStrategyFormState>;
}) {
  const [state, action, pending] = useActionState(props.action, {});
  const [strategy, setStrategy] = useState(props.current);

  return (
    <form action={action} className="flex flex-col gap-3">
      <fieldset className="flex gap-4">
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="strategy" value="internal" checked={strategy === 'internal'} onChange={() => setStrategy('internal')} />
          Internal CA (default)
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="strategy" value="uploaded" checked={strategy === 'uploaded'} onChange={() => setStrategy('uploaded')} />
          Uploaded certificate
        </label>
      </fieldset>
      {strategy === 'uploaded' && (
        <>
          <Label htmlFor="certificateChain">Certificate chain (PEM, leaf first, up to and including the root)</Label>
          <textarea id="certificateChain" name="certificateChain" rows={8} className="rounded-md border bg-card p-2 font-mono text-xs" />
          <Label htmlFor="privateKey">Private key (PEM, unencrypted)</Label>
          <textarea id="privateKey" name="privateKey" rows={6} className="rounded-md border bg-card p-2 font-mono text-xs" />
        </>
      )}
      <div>
        <Button type="submit" disabled={pending}>
          Apply
        </Button>
      </div>
      {state.error && (
        <p role="alert" className="text-sm text-destructive">
          {state.error}
        </p>
      )}
      {state.message && <p className="text-sm text-muted-foreground">{state.message}</p>}
    </form>
  );
}
