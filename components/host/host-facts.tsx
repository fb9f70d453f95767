import { formatAge, formatDateTime, formatSeconds } from '@/components/format';
import { HostStatusBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import type { HostDetail } from './types';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

/** Operating system, kernel, network and agent facts of one host. */
export function HostFacts({ host }: { host: HostDetail }) {
  const kernelBehind = host.kernelNewest && host.kernelNewest !== host.kernelRunning;

  return (
    <Card data-testid="host-facts">
      <CardHeader>
        <CardTitle>Facts</CardTitle>
      </CardHeader>
      <CardContent>
        <dl>
          <Fact label="Status">
            <HostStatusBadge status={host.status} />{' '}
            <span className="text-muted-foreground" title={formatDateTime(host.lastSeenAt)}>
              last seen {formatAge(host.lastSeenAt)}
            </span>
          </Fact>
          <Fact label="Operating system">
            {host.osName} {host.osVersion}
            {host.osCodename ? ` (${host.osCodename})` : ''} · {host.osId}
          </Fact>
          <Fact label="Kernel">
            {host.kernelRunning}
            {kernelBehind && (
              <>
                {' '}
                <Badge variant="warning">newest installed {host.kernelNewest}</Badge>
              </>
            )}
          </Fact>
          <Fact label="Architecture">{host.architecture}</Fact>
          <Fact label="Uptime">{formatSeconds(host.uptimeSeconds)}</Fact>
          <Fact label="IP addresses">{host.ipAddresses.length > 0 ? host.ipAddresses.join(', ') : '—'}</Fact>
          <Fact label="Package manager">{host.packageManager || '—'}</Fact>
          <Fact label="Installed packages">{host.installedCount}</Fact>
          <Fact label="Agent version">{host.agentVersion || '—'}</Fact>
          <Fact label="Enrolled">{formatDateTime(host.enrolledAt)}</Fact>
          <Fact label="Inventory received">{formatDateTime(host.inventoryAt)}</Fact>
        </dl>
      </CardContent>
    </Card>
  );
}

/** Reboot state with its reason and the packages that asked for it. */
export function HostReboot({ host }: { host: HostDetail }) {
  return (
    <Card data-testid="host-reboot">
      <CardHeader>
        <CardTitle>Reboot</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-2 text-sm">
        <div>
          {host.rebootRequired === 'yes' && <Badge variant="warning">Reboot required</Badge>}
          {host.rebootRequired === 'no' && <Badge variant="success">No reboot required</Badge>}
          {host.rebootRequired === 'unknown' && <Badge variant="secondary">Unknown</Badge>}
        </div>
        {host.rebootReason && <p>{host.rebootReason}</p>}
        {host.rebootPackages.length > 0 && (
          <p className="text-muted-foreground">
            Requested by: <span className="font-mono text-foreground">{host.rebootPackages.join(', ')}</span>
          </p>
        )}
      </CardContent>
    </Card>
  );
}

/**
 * Shows the host's client certificate as the internal CA issued it. Admins get a
 * link to the host's rows on the Certificates page, where revoke, renew and re-enroll are.
 */
export function HostCertificate({ host, manageable = false }: { host: HostDetail; manageable?: boolean }) {
  const certificate = host.certificate;

  return (
    <Card data-testid="host-certificate">
      <CardHeader>
        <CardTitle>Certificate</CardTitle>
      </CardHeader>
      <CardContent>
        {certificate ? (
          <dl>
            <Fact label="Status">
              <Badge variant={certificate.status === 'active' ? 'success' : 'destructive'}>{certificate.status}</Badge>
            </Fact>
            <Fact label="Serial">
              <span className="font-mono text-xs">{certificate.serial}</span>
            </Fact>
            <Fact label="SHA-256 fingerprint">
              <span className="font-mono text-xs">{certificate.fingerprint}</span>
            </Fact>
            <Fact label="Valid from">{formatDateTime(certificate.notBefore)}</Fact>
            <Fact label="Valid until">{formatDateTime(certificate.notAfter)}</Fact>
          </dl>
        ) : (
          <p className="text-sm text-muted-foreground">No certificate on record.</p>
        )}
        {manageable && (
          <a className="mt-2 inline-block text-sm underline" href={`/certificates?host=${host.id}`} data-testid="host-certificates-link">
            Revoke, renew or re-enroll
          </a>
        )}
      </CardContent>
    </Card>
  );
}
