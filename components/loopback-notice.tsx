import { ShieldAlert } from 'lucide-react';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';

/** The notice every page shows while the console has no sign-in. */
export function LoopbackNotice() {
  return (
    <Alert variant="warning" data-testid="loopback-notice">
      <ShieldAlert aria-hidden />
      <AlertTitle>No sign-in yet</AlertTitle>
      <AlertDescription>
        This console has no sign-in yet and listens only on 127.0.0.1 (loopback). Every local user of this
        machine who can open a connection to it can view hosts and start patch jobs.
      </AlertDescription>
    </Alert>
  );
}
