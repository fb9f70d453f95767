import { Badge, type BadgeProps } from '@/components/ui/badge';

type Variant = NonNullable<BadgeProps['variant']>;

const HOST_STATUS: Record<string, Variant> = {
  online: 'success',
  offline: 'destructive',
  pending: 'secondary',
};

const JOB_STATUS: Record<string, Variant> = {
  queued: 'secondary',
  held: 'secondary',
  pending: 'secondary',
  sent: 'secondary',
  running: 'default',
  rebooting: 'default',
  succeeded: 'success',
  failed: 'destructive',
  'timed-out': 'destructive',
  cancelled: 'outline',
  skipped: 'outline',
};

/** A host's connection state: online, offline or pending (enrolled, no inventory yet). */
export function HostStatusBadge({ status }: { status: string }) {
  return <Badge variant={HOST_STATUS[status] ?? 'outline'}>{status}</Badge>;
}

/** The state of a job or of one host inside a job. */
export function JobStatusBadge({ status, ...props }: { status: string } & Omit<BadgeProps, 'variant'>) {
  return (
    <Badge variant={JOB_STATUS[status] ?? 'outline'} {...props}>
      {status}
    </Badge>
  );
}

/** Whether a host must reboot; "unknown" means the agent could not tell. */
export function RebootBadge({ required }: { required: string | null }) {
  if (required === 'yes') {
    return <Badge variant="warning">reboot required</Badge>;
  }
  if (required === 'no') {
    return <span className="text-muted-foreground">no</span>;
  }
  return <span className="text-muted-foreground">unknown</span>;
}
