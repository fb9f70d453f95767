'use client';

import { useKeptFormAction } from '@/components/use-kept-form-action';
import { AlertCircle, KeyRound, TriangleAlert } from 'lucide-react';
import type { EnrollmentFormState } from '@/app/enrollment/actions';
import { CopyButton } from '@/components/copy-button';
import { FieldError } from '@/components/field-error';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';

export interface EnrollmentTokenFormProps {
  action: (previous: EnrollmentFormState, formData: FormData) => Promise<EnrollmentFormState>;
  /** Groups a new token can enroll hosts into, by name. */
  groups: { id: string; name: string }[];
}

/** Renders the form that creates an enrollment token, and the one-time view of the new token. */
export function EnrollmentTokenForm({ action, groups }: EnrollmentTokenFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, { errors: {} });
  const errors = state.errors;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Create an enrollment token</CardTitle>
        <CardDescription>A host presents the token once to get its own client certificate.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <form action={formAction} onSubmit={onSubmit} className="grid gap-4 md:grid-cols-[2fr_1fr_1fr_1fr_auto] md:items-start" data-testid="enrollment-form">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="token-description">Description</Label>
            <Input id="token-description" name="description" maxLength={200} placeholder="web servers, rack 4" aria-invalid={Boolean(errors.description)} />
            <FieldError errors={errors} field="description" />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="token-ttl">Valid for (hours)</Label>
            <Input id="token-ttl" name="ttlHours" inputMode="numeric" placeholder="Server default" aria-invalid={Boolean(errors.ttlHours)} />
            <FieldError errors={errors} field="ttlHours" />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="token-uses">Maximum uses</Label>
            <Input id="token-uses" name="maxUses" inputMode="numeric" placeholder="1" aria-invalid={Boolean(errors.maxUses)} />
            <FieldError errors={errors} field="maxUses" />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="token-group">Group</Label>
            <Select id="token-group" name="groupId" defaultValue="" aria-invalid={Boolean(errors.groupId)} data-testid="token-group-select">
              <option value="">No group</option>
              {groups.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                </option>
              ))}
            </Select>
            <FieldError errors={errors} field="groupId" />
          </div>
          <Button type="submit" disabled={pending} className="md:mt-5.5" data-testid="create-token">
            <KeyRound aria-hidden /> {pending ? 'Creating…' : 'Create token'}
          </Button>
        </form>

        {errors.form && (
          <Alert variant="destructive">
            <AlertCircle aria-hidden />
            <AlertDescription data-testid="error-form">{errors.form}</AlertDescription>
          </Alert>
        )}

        {state.created && (
          <Alert variant="warning" data-testid="created-token">
            <TriangleAlert aria-hidden />
            <AlertTitle>Copy the token now: it is shown only once</AlertTitle>
            <AlertDescription className="flex flex-col gap-3">
              <p>The server keeps only a hash of the token. It expires at {state.created.expiresAt.slice(0, 16).replace('T', ' ')} UTC.</p>
              {state.created.groupName && <p data-testid="created-token-group">Hosts enrolled with it join the group {state.created.groupName}.</p>}
              <div className="flex flex-col gap-1">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">Token</span>
                  <CopyButton text={state.created.token} label="Copy token" />
                </div>
                <pre className="overflow-x-auto rounded-md bg-slate-950 p-3 font-mono text-xs text-slate-100 select-all" data-testid="enrollment-token">
                  {state.created.token}
                </pre>
              </div>
              <div className="flex flex-col gap-1">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">Run this as root on the host to install, enroll and start the agent (needs Node.js 20, curl and openssl)</span>
                  <CopyButton text={state.created.installCommand} label="Copy install command" />
                </div>
                <pre className="overflow-x-auto rounded-md bg-slate-950 p-3 font-mono text-xs whitespace-pre-wrap break-all text-slate-100 select-all" data-testid="install-command">
                  {state.created.installCommand}
                </pre>
              </div>
              <div className="flex flex-col gap-1">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">Or, where the agent is already installed, run this as root to enroll the host</span>
                  <CopyButton text={state.created.enrollCommand} label="Copy command" />
                </div>
                <pre className="overflow-x-auto rounded-md bg-slate-950 p-3 font-mono text-xs whitespace-pre-wrap break-all text-slate-100 select-all" data-testid="enroll-command">
                  {state.created.enrollCommand}
                </pre>
              </div>
            </AlertDescription>
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
