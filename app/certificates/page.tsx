import type { Metadata } from 'next';
import { Search } from 'lucide-react';
import { z } from 'zod';
import { CertificateRowActions } from '@/components/certificates/certificate-row-actions';
import { formatDateTime } from '@/components/format';
import { FilterSelect, SearchField, valueChoices } from '@/components/filter-fields';
import { Pagination } from '@/components/pagination';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { listCertificates } from '@/lib/certificates/list-certificates';
import { requireAdmin } from '@/lib/console-context';
import { reenrollAction, removeHostAction, renewCertificateAction, revokeCertificateAction } from './actions';
import { isStorableText } from '@/lib/text';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Certificates' };

const PAGE_SIZE = 100;
const STATUSES = ['active', 'revoked', 'superseded'] as const;

// Malformed values fall back to the default instead of failing the page, because
// they come from hand-edited or stale URLs.
const querySchema = z.object({
  q: z.string().trim().max(200).refine(isStorableText).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  host: z.uuid().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});

const ACTIONS = { revoke: revokeCertificateAction, renew: renewCertificateAction, reenroll: reenrollAction, remove: removeHostAction };

function StatusBadge({ status, reason }: { status: string; reason: string | null }) {
  if (status === 'active') return <Badge variant="success">active</Badge>;
  if (status === 'superseded') return <Badge variant="outline">superseded</Badge>;
  return <Badge variant="destructive">revoked{reason ? ` (${reason})` : ''}</Badge>;
}

export default async function CertificatesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = querySchema.parse(await searchParams);
  const ctx = await requireAdmin();
  assertAdmin(ctx);
  const { total, items: rows } = await listCertificates(ctx, {
    search: query.q || undefined,
    status: query.status,
    hostId: query.host,
    page: query.page,
    pageSize: PAGE_SIZE,
  });

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
        <CardContent>
          <form method="get" action="/certificates" className="flex flex-wrap items-end gap-3" role="search">
            {query.host && <input type="hidden" name="host" value={query.host} />}
            <SearchField id="certificates-q" placeholder="Hostname, or the start of a serial or fingerprint" defaultValue={query.q} />
            <FilterSelect id="certificates-status" name="status" label="Status" choices={valueChoices(STATUSES)} defaultValue={query.status} />
            <Button type="submit" variant="secondary">
              <Search aria-hidden /> Apply
            </Button>
          </form>
          {query.host && (
            <p className="mt-2 text-sm text-muted-foreground">
              Showing one host&apos;s certificates. <a className="underline" href="/certificates">Show every host</a>
            </p>
          )}
        </CardContent>
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
                  {query.q || query.status || query.host ? 'No certificate matches; change the search or the status.' : 'No certificates yet; enroll a host first.'}
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
        <div className="px-4 pb-4">
          <Pagination page={query.page} pageSize={PAGE_SIZE} total={total} path="/certificates" query={{ q: query.q, status: query.status, host: query.host }} noun="certificates" />
        </div>
      </Card>
    </div>
  );
}
