import type { Metadata } from 'next';
import Link from 'next/link';
import { Download } from 'lucide-react';
import { LineChart } from '@/components/charts/line-chart';
import { formatDateTime } from '@/components/format';
import { PrintButton } from '@/components/reports/print-button';
import { ReportPeriodForm } from '@/components/reports/report-period-form';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { consoleContext } from '@/lib/console-context';
import { ValidationError } from '@/lib/errors';
import { computeComplianceByGroup } from '@/lib/reports/compliance-by-group';
import { computeComplianceByOs, type ComplianceRow } from '@/lib/reports/compliance-by-os';
import { upToDatePercent } from '@/lib/reports/host-state-counts';
import { listComplianceHistory, type ComplianceSeries } from '@/lib/reports/list-compliance-history';
import { parseReportPeriod, type ReportPeriod } from '@/lib/reports/report-period';
import '../print.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Compliance report' };

/** Encodes an OS release as one `os` query value: both parts URI-encoded, so the `/` between them is unambiguous. */
function osValue(name: string, version: string): string {
  return `${encodeURIComponent(name)}/${encodeURIComponent(version)}`;
}

/** Decodes an `os` query value; null for an empty or malformed one, which selects all hosts. */
function parseOsValue(value: string): { osName: string; osVersion: string } | null {
  const parts = value.split('/');
  if (parts.length !== 2) {
    return null;
  }
  try {
    return { osName: decodeURIComponent(parts[0]!), osVersion: decodeURIComponent(parts[1]!) };
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function osLabel(row: Pick<ComplianceRow, 'scope' | 'osName' | 'osVersion'> & { groupName?: string }): string {
  if (row.scope === 'overall') {
    return 'All hosts';
  }
  if (row.scope === 'group') {
    return `Group ${row.groupName ?? ''}`;
  }
  return `${row.osName} ${row.osVersion}`.trim() || 'OS not reported yet';
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function ComplianceReportPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const ctx = await consoleContext();

  // A malformed period in a hand-edited URL falls back to the default with a warning.
  let period: ReportPeriod;
  let periodError: string | null = null;
  try {
    period = parseReportPeriod({ from: first(query.from), to: first(query.to) }, { defaultDays: 90 });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    periodError = error.message;
    period = parseReportPeriod({}, { defaultDays: 90 });
  }

  const [live, groups] = await Promise.all([computeComplianceByOs(ctx), computeComplianceByGroup(ctx)]);
  // Stored overall and OS rows count the whole fleet, so an Operator's history
  // starts at their first group instead.
  const groupParam = first(query.group) ?? '';
  const chosenGroup = groups.find((row) => UUID.test(groupParam) && row.groupId === groupParam.toLowerCase()) ?? null;
  const operatorDefault = ctx.actor.role === 'operator' && !query.os ? (groups[0] ?? null) : null;
  const groupSeries = chosenGroup ?? operatorDefault;
  const series: ComplianceSeries = groupSeries?.groupId
    ? { groupId: groupSeries.groupId }
    : (parseOsValue(first(query.os) ?? '') ?? 'overall');
  const history = await listComplianceHistory(ctx, { period, series });
  const seriesLabel =
    series === 'overall'
      ? osLabel({ scope: 'overall', osName: '', osVersion: '' })
      : 'groupId' in series
        ? osLabel({ scope: 'group', osName: '', osVersion: '', groupName: groupSeries?.groupName })
        : osLabel({ scope: 'os', ...series });
  const now = new Date();
  const historyCsv = `/api/v1/reports/compliance.csv?from=${period.from}&to=${period.to}`;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Compliance report</h1>
          <p className="text-sm text-muted-foreground">
            Hosts by patch state per OS release, now and from daily snapshots. Generated {formatDateTime(now)}.
          </p>
        </div>
        <div className="flex flex-wrap gap-2" data-print="hide">
          <Link className={buttonVariants({ variant: 'outline' })} href="/reports/jobs">
            Job report
          </Link>
          <a className={buttonVariants({ variant: 'outline' })} href="/api/v1/reports/compliance.csv" download>
            <Download aria-hidden /> Current CSV
          </a>
          <a className={buttonVariants({ variant: 'outline' })} href={historyCsv} download>
            <Download aria-hidden /> History CSV
          </a>
          <PrintButton />
        </div>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Now</CardTitle>
          <CardDescription>
            Offline, awaiting inventory, behind and up to date add up to the host count; security updates and reboots overlap them.
          </CardDescription>
        </CardHeader>
        <Table data-testid="compliance-table">
          <TableHeader>
            <TableRow>
              <TableHead>OS</TableHead>
              <TableHead className="text-right">Hosts</TableHead>
              <TableHead className="text-right">Up to date</TableHead>
              <TableHead className="text-right">Behind</TableHead>
              <TableHead className="text-right">Offline</TableHead>
              <TableHead className="text-right">Awaiting inventory</TableHead>
              <TableHead className="text-right">Security updates</TableHead>
              <TableHead className="text-right">Reboot pending</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {live.map((row) => {
              const percent = upToDatePercent(row);
              return (
                <TableRow key={`${row.scope}:${row.osName}:${row.osVersion}`} data-testid="compliance-row" className={row.scope === 'overall' ? 'font-medium' : undefined}>
                  <TableCell>{osLabel(row)}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.hosts}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    {row.upToDate}
                    {percent !== null && <span className="text-muted-foreground"> ({percent} %)</span>}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{row.behind}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.offline}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.awaitingInventory}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.withSecurity}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.rebootPending}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>By group</CardTitle>
          <CardDescription>A host in several groups counts in each. Hosts in no group appear only in the figures above.</CardDescription>
        </CardHeader>
        <Table data-testid="compliance-group-table">
          <TableHeader>
            <TableRow>
              <TableHead>Group</TableHead>
              <TableHead className="text-right">Hosts</TableHead>
              <TableHead className="text-right">Up to date</TableHead>
              <TableHead className="text-right">Behind</TableHead>
              <TableHead className="text-right">Offline</TableHead>
              <TableHead className="text-right">Awaiting inventory</TableHead>
              <TableHead className="text-right">Security updates</TableHead>
              <TableHead className="text-right">Reboot pending</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {groups.length === 0 && (
              <TableRow>
                <TableCell colSpan={8} className="py-6 text-center text-muted-foreground">
                  No groups to show.
                </TableCell>
              </TableRow>
            )}
            {groups.map((row) => {
              const percent = upToDatePercent(row);
              return (
                <TableRow key={row.groupId} data-testid="compliance-group-row" data-group-name={row.groupName}>
                  <TableCell>{row.groupName}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.hosts}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    {row.upToDate}
                    {percent !== null && <span className="text-muted-foreground"> ({percent} %)</span>}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{row.behind}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.offline}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.awaitingInventory}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.withSecurity}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.rebootPending}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Over time</CardTitle>
          <CardDescription>
            {seriesLabel}, {period.from} to {period.to}, one
            snapshot per UTC day.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {periodError && (
            <Alert variant="warning">
              <AlertDescription>{periodError}. Showing the last 90 days instead.</AlertDescription>
            </Alert>
          )}
          <ReportPeriodForm action="/reports" from={period.from} to={period.to}>
            <div className="flex w-56 flex-col gap-1.5">
              <Label htmlFor="report-os">OS</Label>
              <Select id="report-os" name="os" defaultValue={series === 'overall' || 'groupId' in series ? '' : osValue(series.osName, series.osVersion)}>
                <option value="">All hosts</option>
                {live
                  .filter((row) => row.scope === 'os')
                  .map((row) => (
                    <option key={`${row.osName}:${row.osVersion}`} value={osValue(row.osName, row.osVersion)}>
                      {osLabel(row)}
                    </option>
                  ))}
              </Select>
            </div>
            {groups.length > 0 && (
              <div className="flex w-56 flex-col gap-1.5">
                <Label htmlFor="report-group">Group</Label>
                <Select id="report-group" name="group" defaultValue={series !== 'overall' && 'groupId' in series ? series.groupId : ''}>
                  <option value="">None (use the OS choice)</option>
                  {groups.map((row) => (
                    <option key={row.groupId} value={row.groupId ?? ''}>
                      {row.groupName}
                    </option>
                  ))}
                </Select>
              </div>
            )}
          </ReportPeriodForm>
          {history.length === 0 ? (
            <p className="py-8 text-center text-sm text-muted-foreground" data-testid="compliance-history-empty">
              No snapshots in this period. The worker stores one per day.
            </p>
          ) : (
            <LineChart
              label="Hosts by patch state per day"
              testId="compliance-history"
              points={history.map((row) => ({ label: row.snapshotDate, values: [row.upToDate, row.behind, row.withSecurity, row.offline] }))}
              series={[
                { label: 'Up to date', color: 'var(--color-success)' },
                { label: 'Behind', color: 'var(--color-warning)' },
                { label: 'With security updates', color: 'var(--color-destructive)' },
                { label: 'Offline', color: 'var(--color-muted-foreground)' },
              ]}
            />
          )}
        </CardContent>
      </Card>
    </div>
  );
}
