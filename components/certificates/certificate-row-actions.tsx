'use client';

import { useActionState } from 'react';
import { confirmFirst } from '@/components/confirm-first';
import { CopyButton } from '@/components/copy-button';
import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/select';
import type { CertificateActionState } from '@/app/certificates/actions';

type Action = (previous: CertificateActionState, formData: FormData) => Promise<CertificateActionState>;

const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'];

/** Revoke, renew, re-enroll, download and remove controls of one certificate row. */
export function CertificateRowActions(props: {
  certificateId: string;
  hostId: string;
  status: string;
  hostRemoved: boolean;
  actions: { revoke: Action; renew: Action; reenroll: Action; remove: Action };
}) {
  const [revokeState, revoke, revoking] = useActionState(props.actions.revoke, {});
  const [renewState, renew, renewing] = useActionState(props.actions.renew, {});
  const [reenrollState, reenroll, reenrolling] = useActionState(props.actions.reenroll, {});
  const [removeState, remove, removing] = useActionState(props.actions.remove, {});
  const states = [revokeState, renewState, reenrollState, removeState];

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        {props.status !== 'revoked' && (
          <form
            action={revoke}
            onSubmit={confirmFirst('Revoke this certificate? The agent is disconnected at once and the host must be enrolled again.')}
            className="flex items-center gap-1"
          >
            <input type="hidden" name="certificateId" value={props.certificateId} />
            <Select name="reason" aria-label="Revocation reason" defaultValue="unspecified" className="h-8 w-44">
              {REASONS.map((reason) => (
                <option key={reason} value={reason}>
                  {reason}
                </option>
              ))}
            </Select>
            <Button type="submit" size="sm" variant="destructive" disabled={revoking}>
              Revoke
            </Button>
          </form>
        )}
        {!props.hostRemoved && props.status === 'active' && (
          <form action={renew}>
            <input type="hidden" name="hostId" value={props.hostId} />
            <Button type="submit" size="sm" variant="outline" disabled={renewing}>
              Renew
            </Button>
          </form>
        )}
        {!props.hostRemoved && (
          <form action={reenroll}>
            <input type="hidden" name="hostId" value={props.hostId} />
            <Button type="submit" size="sm" variant="outline" disabled={reenrolling}>
              Re-enroll
            </Button>
          </form>
        )}
        <a className="text-sm underline" href={`/api/v1/certificates/${props.certificateId}/bundle`} download>
          Download
        </a>
        {!props.hostRemoved && (
          <form action={remove} onSubmit={confirmFirst('Remove this host? Its certificate is revoked, and it leaves every list and group.')}>
            <input type="hidden" name="hostId" value={props.hostId} />
            <Button type="submit" size="sm" variant="ghost" disabled={removing}>
              Remove host
            </Button>
          </form>
        )}
      </div>
      {states.map((state, index) =>
        state.error ? (
          <p key={index} role="alert" className="text-sm text-destructive">
            {state.error}
          </p>
        ) : state.message ? (
          <p key={index} className="text-sm text-muted-foreground">
            {state.message}
          </p>
        ) : null,
      )}
      {reenrollState.enrollCommand && (
        <div className="flex items-center gap-2">
          <code className="break-all text-xs">{reenrollState.enrollCommand}</code>
          <CopyButton text={reenrollState.enrollCommand} />
        </div>
      )}
    </div>
  );
}
