'use client';

import { AlertCircle, Plus } from 'lucide-react';
import type { CommandFormField, CommandFormState } from '@/app/admin/commands/actions';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';

function FieldError({ errors, field }: { errors: CommandFormState['errors']; field: CommandFormField }) {
  const message = errors[field];
  if (!message) return null;
  return (
    <p className="text-sm text-destructive" data-testid={`error-${field}`}>
      {message}
    </p>
  );
}

/** Renders the form that approves a command: a name, argv one argument per line, and a timeout. */
export function CommandForm({ action }: { action: (previous: CommandFormState, formData: FormData) => Promise<CommandFormState> }) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, { errors: {} });
  const errors = state.errors;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Approve a command</CardTitle>
      </CardHeader>
      <CardContent>
        <form action={formAction} onSubmit={onSubmit} className="grid gap-4 md:grid-cols-2" data-testid="command-form" key={state.created ?? 'form'}>
          {errors.form && (
            <Alert variant="destructive" className="md:col-span-2">
              <AlertCircle aria-hidden />
              <AlertDescription data-testid="error-form">{errors.form}</AlertDescription>
            </Alert>
          )}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="command-name">Name</Label>
            <Input id="command-name" name="name" placeholder="Drain from load balancer" aria-invalid={Boolean(errors.name)} />
            <FieldError errors={errors} field="name" />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="command-timeout">Timeout (seconds)</Label>
            <Input id="command-timeout" name="timeoutSeconds" inputMode="numeric" placeholder="300" aria-invalid={Boolean(errors.timeoutSeconds)} />
            <FieldError errors={errors} field="timeoutSeconds" />
          </div>
          <div className="flex flex-col gap-1.5 md:col-span-2">
            <Label htmlFor="command-argv">Program and arguments, one per line</Label>
            <textarea
              id="command-argv"
              name="argv"
              rows={4}
              placeholder={'/usr/local/sbin/lb-drain\n--wait\n30'}
              className="rounded-md border bg-background px-3 py-2 font-mono text-sm"
              aria-invalid={Boolean(errors.argv)}
            />
            <p className="text-xs text-muted-foreground">The first line is the program as an absolute path. No shell runs, so quotes and $ are passed as typed.</p>
            <FieldError errors={errors} field="argv" />
          </div>
          <div>
            <Button type="submit" disabled={pending}>
              <Plus aria-hidden /> Approve command
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
