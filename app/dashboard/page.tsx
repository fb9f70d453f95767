import type { Metadata } from 'next';
import Link from 'next/link';
import { AllowlistWarningBanner } from '@/components/allowlist-warning-banner';
import { AuditAlertBanner } from '@/components/audit-alert-banner';
import { DonutChart } from '@/components/charts/donut-chart';
import { HorizontalBarChart } from '@/components/charts/horizontal-bar-chart';
import { StackedBarChart } from '@/components/charts/stacked-bar-chart';
import { formatAge, formatDateTime } from '@/components/format';
import { PrintButton } from '@/components/reports/print-button';
import { HostStatusBadge, RebootBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { consoleContext } from '@/lib/console-context';
import { getDashboard } from '@/lib/reports/get-dashboard';
import { plural } from '@/lib/notifications/notice-text';
import '../print.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboard' };

const AGE_COLORS = ['var(--color-warning)', 'oklch(0.68 0.17 50)', 'oklch(0.60 0.20 35)', 'var(--color-destructive)'];

function Figure({ value, label, testId }: { value: number; label: string; testId: string }) {
  return (
    <div className="flex flex-col">
      <span className="text-3xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </span>
      <span className="text-sm text-muted-foreground">{label}</span>
    </div>
  );
}

export default async function DashboardPage() {
  const ctx = await consoleContext();
  const dashboard = await getDashboard(ctx);
  const { hosts, jobsToday } = dashboard;
  const securityUpdates = dashboard.securityAges.reduce((sum, bucket) => sum + bucket.updates, 0);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Dashboard</h1>
          <p className="text-sm text-muted-foreground">Figures as of {formatDateTime(dashboard.generatedAt)}.</p>
        </div>
        <div className="flex gap-2" data-print="hide">
          <Link className="text-sm font-medium text-primary hover:underline" href="/reports">
            Compliance report
          </Link>
          <PrintButton />
        </div>
      </div>

      <AuditAlertBanner />
      <AllowlistWarningBanner />

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Hosts</CardTitle>
            <CardDescription>Offline hosts count as offline whatever their last inventory said.</CardDescription>
          </CardHeader>
          <CardContent>
            <DonutChart
              label="hosts"
              testId="hosts-donut"
              segments={[
                { label: 'Up to date', value: hosts.upToDate, color: 'var(--color-success)' },
                { label: 'Behind', value: hosts.behind, color: 'var(--color-warning)' },
                { label: 'Offline', value: hosts.offline, color: 'var(--color-destructive)' },
                { label: 'Awaiting inventory', value: hosts.awaitingInventory, color: 'var(--color-muted-foreground)' },
              ]}
            />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Security updates by age</CardTitle>
            <CardDescription>
              {plural(securityUpdates, 'pending security update')} on {plural(hosts.withSecurity, 'host')}, aged from when each was first reported.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <HorizontalBarChart
              label="Pending security updates by age"
              testId="security-ages"
              bars={dashboard.securityAges.map((bucket, index) => ({
                label: bucket.label,
                value: bucket.updates,
                detail: `on ${bucket.hosts} ${bucket.hosts === 1 ? 'host' : 'hosts'}`,
                color: AGE_COLORS[index] ?? 'var(--color-destructive)',
              }))}
            />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Reboots</CardTitle>
          </CardHeader>
          <CardContent className="flex gap-8">
            <Figure value={hosts.rebootPending} label="hosts need a reboot" testId="reboots-pending" />
            <Figure value={hosts.rebootUnknown} label="hosts with unknown reboot state" testId="reboots-unknown" />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Jobs today</CardTitle>
            <CardDescription>Created since midnight UTC.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-wrap gap-8">
            <Figure value={jobsToday.total} label="created" testId="jobs-today" />
            <Figure value={jobsToday.queued + jobsToday.running} label="queued or running" testId="jobs-today-open" />
            <Figure value={jobsToday.succeeded} label="succeeded" testId="jobs-today-succeeded" />
            <Figure value={jobsToday.failed} label="failed" testId="jobs-today-failed" />
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Job outcomes, last 30 days</CardTitle>
          <CardDescription>Jobs by final status and UTC day they finished.</CardDescription>
        </CardHeader>
        <CardContent>
          <StackedBarChart
            label="Finished jobs per day by outcome"
            testId="job-outcomes"
            bars={dashboard.jobOutcomes.map((day) => ({ label: day.day.slice(5), values: [day.succeeded, day.failed, day.cancelled] }))}
            series={[
              { label: 'Succeeded', color: 'var(--color-success)' },
              { label: 'Failed', color: 'var(--color-destructive)' },
              { label: 'Cancelled', color: 'var(--color-muted-foreground)' },
            ]}
          />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Hosts most behind</CardTitle>
          <CardDescription>Most security updates first, then the longest-pending security update.</CardDescription>
        </CardHeader>
        <Table data-testid="most-behind-table">
          <TableHeader>
            <TableRow>
              <TableHead>Hostname</TableHead>
              <TableHead className="text-right">Security</TableHead>
              <TableHead className="text-right">Pending</TableHead>
              <TableHead>Oldest security update</TableHead>
              <TableHead>Reboot</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>OS</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {dashboard.mostBehind.length === 0 && (
              <TableRow>
                <TableCell colSpan={7} className="py-8 text-center text-muted-foreground">
                  No host has pending updates.
                </TableCell>
              </TableRow>
            )}
            {dashboard.mostBehind.map((host) => (
              <TableRow key={host.id} data-testid="behind-row">
                <TableCell className="font-medium">
                  <Link className="hover:underline" href={`/hosts/${host.id}`}>
                    {host.hostname}
                  </Link>
                </TableCell>
                <TableCell className="text-right tabular-nums">
                  {host.securityCount > 0 ? <Badge variant="destructive">{host.securityCount}</Badge> : <span className="text-muted-foreground">0</span>}
                </TableCell>
                <TableCell className="text-right tabular-nums">{host.pendingCount}</TableCell>
                <TableCell className="whitespace-nowrap" title={formatDateTime(host.oldestSecurityAt)}>
                  {host.oldestSecurityAt ? formatAge(host.oldestSecurityAt, dashboard.generatedAt) : '—'}
                </TableCell>
                <TableCell>
                  <RebootBadge required={host.rebootRequired} />
                </TableCell>
                <TableCell>
                  <HostStatusBadge status={host.status} />
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  {host.osName} {host.osVersion}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
