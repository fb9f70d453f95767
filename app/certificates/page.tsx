import type { Metadata } from 'next';
import { CertificateRowActions } from '@/components/certificates/certificate-row-actions';
import { formatDateTime } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { listCertificates } from '@/lib/certificates/list-certificates';
import { requireAdmin } from '@/lib/console-context';
import { reenrollAction, removeHostAction, renewCertificateAction, revokeCertificateAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Certificates' };

const ACTIONS = { revoke: revokeCertificateAction, renew: renewCertificateAction, reenroll: reenrollAction, remove: removeHostAction };

function StatusBadge({ status, reason }: { status: string; reason: string | null }) {
  if (status === 'active') return <Badge variant="success">active</Badge>;
  if (status === 'superseded') return <Badge variant="outline">superseded</Badge>;
  return <Badge variant="destructive">revoked{reason ? ` (${reason})` : ''}</Badge>;
}

export default async function CertificatesPage() {
  const ctx = await requireAdmin();
  assertAdmin(ctx);
  const rows = await listCertificates(ctx);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Certificates</h1>
        <p className="text-sm text-muted-foreground">
          Host certificates issued by the internal CA. Agents renew on their own at two thirds of the lifetime; Renew asks a
          connected agent to do it now. Download gives the host and CA certificates for a manual install, without a private key:
          the key is made on the host and never leaves it. Revocations reach the CRL (/pki/crl.pem) and the OCSP responder
          (/pki/ocsp) at once.
        </p>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Host certificates</CardTitle>
        </CardHeader>
        <Table data-testid="certificates">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-4">Host</TableHead>
              <TableHead>Serial</TableHead>
              <TableHead>SHA-256 fingerprint</TableHead>
              <TableHead>Valid</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="pr-4">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={6} className="py-6 text-center text-muted-foreground">
                  No certificates yet; enroll a host first.
                </TableCell>
              </TableRow>
            )}
            {rows.map((row) => (
              <TableRow key={row.id} data-testid="certificate-row" data-certificate-id={row.id} data-status={row.status}>
                <TableCell className="pl-4">
                  {row.hostname}
                  {row.hostRemoved && <span className="text-xs text-muted-foreground"> (removed)</span>}
                </TableCell>
                <TableCell className="font-mono text-xs">{row.serial}</TableCell>
                <TableCell className="max-w-48 break-all font-mono text-xs">{row.fingerprint}</TableCell>
                <TableCell className="text-xs">
                  {formatDateTime(row.notBefore)} – {formatDateTime(row.notAfter)}
                </TableCell>
                <TableCell>
                  <StatusBadge status={row.status} reason={row.revocationReason} />
                </TableCell>
                <TableCell className="pr-4">
                  <CertificateRowActions
                    certificateId={row.id}
                    hostId={row.hostId}
                    status={row.status}
                    hostRemoved={row.hostRemoved}
                    actions={ACTIONS}
                  />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
