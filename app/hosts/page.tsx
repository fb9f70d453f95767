import type { Metadata } from 'next';
import Link from 'next/link';
import { Search } from 'lucide-react';
import { z } from 'zod';
import { requireUser } from '@/lib/console-context';
import { listHostOsNames } from '@/lib/hosts/list-host-os-names';
import { listHosts } from '@/lib/hosts/list-hosts';
import { listTargetGroups } from '@/lib/patching/list-target-groups';
import { formatAge, formatDateTime } from '@/components/format';
import { FilterSelect, SearchField, valueChoices } from '@/components/filter-fields';
import { Pagination } from '@/components/pagination';
import { HostStatusBadge, RebootBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { isStorableText } from '@/lib/text';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Hosts' };

const PAGE_SIZE = 50;
const STATUSES = ['online', 'offline', 'pending'] as const;
const SORTS = [
  { value: 'security', label: 'Security updates' },
  { value: 'pending', label: 'Pending updates' },
  { value: 'last_seen', label: 'Last seen' },
  { value: 'hostname', label: 'Hostname' },
] as const;
const REBOOT_FILTERS = [
  { value: 'required', label: 'Required' },
  { value: 'not-required', label: 'Not required' },
  { value: 'unknown', label: 'Unknown' },
] as const;

// Malformed values fall back to the default instead of failing the page, because
// they come from hand-edited or stale URLs.
const querySchema = z.object({
  q: z.string().trim().max(200).refine(isStorableText).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  group: z.uuid().optional().catch(undefined),
  os: z.string().trim().min(1).max(128).refine(isStorableText).optional().catch(undefined),
  security: z.enum(['yes']).optional().catch(undefined),
  reboot: z.enum(['required', 'not-required', 'unknown']).optional().catch(undefined),
  sort: z.enum(['security', 'pending', 'last_seen', 'hostname']).catch('security'),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});

export default async function HostsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = querySchema.parse(await searchParams);
  const ctx = await requireUser();

  const filters = {
    search: query.q || undefined,
    status: query.status,
    group: query.group ? [query.group] : undefined,
    os: query.os,
    security: query.security,
    reboot: query.reboot,
  };
  const [result, groups, osNames, online, offline, pending] = await Promise.all([
    listHosts(ctx, { ...filters, sort: query.sort, page: query.page, pageSize: PAGE_SIZE }),
    listTargetGroups(ctx),
    listHostOsNames(ctx),
    listHosts(ctx, { status: 'online', page: 1, pageSize: 1 }),
    listHosts(ctx, { status: 'offline', page: 1, pageSize: 1 }),
    listHosts(ctx, { status: 'pending', page: 1, pageSize: 1 }),
  ]);
  const now = new Date();
  // A bookmarked OS name that no visible host has any more stays selectable, so the form shows the filter in force.
  const osChoices = query.os && !osNames.some((name) => name.toLowerCase() === query.os!.toLowerCase()) ? [query.os, ...osNames] : osNames;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Hosts</h1>
          <p className="text-sm text-muted-foreground">
            <span data-testid="hosts-total">{result.total}</span> {result.total === 1 ? 'host matches' : 'hosts match'} ·{' '}
            <Link className="hover:underline" href="/hosts?status=online">{online.total} online</Link> ·{' '}
            <Link className="hover:underline" href="/hosts?status=offline">{offline.total} offline</Link> ·{' '}
            <Link className="hover:underline" href="/hosts?status=pending">{pending.total} pending</Link>
          </p>
        </div>
        <Link className={buttonVariants()} href="/jobs/new">
          New patch job
        </Link>
      </div>

      <Card>
        <CardContent className="pt-4">
          <form method="get" action="/hosts" className="flex flex-wrap items-end gap-3" role="search">
            <SearchField id="hosts-q" placeholder="Hostname, OS or IP address" defaultValue={query.q} />
            <FilterSelect id="hosts-status" name="status" label="Status" choices={valueChoices(STATUSES)} defaultValue={query.status} />
            <FilterSelect
              id="hosts-group"
              name="group"
              label="Group"
              width="w-48"
              choices={groups.map((group) => ({ value: group.id, label: group.name }))}
              defaultValue={query.group}
            />
            <FilterSelect
              id="hosts-os"
              name="os"
              label="OS"
              width="w-48"
              choices={valueChoices(osChoices)}
              defaultValue={osChoices.find((name) => name.toLowerCase() === query.os?.toLowerCase())}
            />
            <FilterSelect id="hosts-security" name="security" label="Security updates" width="w-44" choices={[{ value: 'yes', label: 'Pending' }]} defaultValue={query.security} />
            <FilterSelect id="hosts-reboot" name="reboot" label="Reboot" choices={REBOOT_FILTERS} defaultValue={query.reboot} />
            <FilterSelect id="hosts-sort" name="sort" label="Sort by" width="w-48" choices={SORTS} defaultValue={query.sort} anyLabel={null} />
            <Button type="submit" variant="secondary">
              <Search aria-hidden /> Apply
            </Button>
          </form>
        </CardContent>
      </Card>

      <Card>
        <Table data-testid="hosts-table">
          <TableHeader>
            <TableRow>
              <TableHead>Hostname</TableHead>
              <TableHead className="text-right">Security</TableHead>
              <TableHead className="text-right">Pending</TableHead>
              <TableHead className="text-right">Held</TableHead>
              <TableHead>Reboot</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>OS</TableHead>
              <TableHead>Groups</TableHead>
              <TableHead>Last seen</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {result.items.length === 0 && (
              <TableRow>
                <TableCell colSpan={9} className="py-8 text-center text-muted-foreground">
                  {ctx.actor.role === 'admin' ? (
                    <>
                      No hosts match. Enroll a host on the <Link className="underline" href="/enrollment">Enrollment</Link> page.
                    </>
                  ) : (
                    'No hosts match. You see the hosts of your groups; an Admin assigns hosts and users to groups.'
                  )}
                </TableCell>
              </TableRow>
            )}
            {result.items.map((host) => (
              <TableRow key={host.id} data-testid="host-row" data-host-id={host.id}>
                <TableCell className="font-medium">
                  <Link className="hover:underline" href={`/hosts/${host.id}`}>
                    {host.hostname}
                  </Link>
                  {host.ipAddresses.length > 0 && (
                    <div className="text-xs text-muted-foreground">{host.ipAddresses.slice(0, 2).join(', ')}</div>
                  )}
                </TableCell>
                <TableCell className="text-right tabular-nums" data-testid="security-count">
                  {host.securityCount > 0 ? <Badge variant="destructive">{host.securityCount}</Badge> : <span className="text-muted-foreground">0</span>}
                </TableCell>
                <TableCell className="text-right tabular-nums" data-testid="pending-count">
                  {host.pendingCount}
                </TableCell>
                <TableCell className="text-right tabular-nums" data-testid="held-count">
                  {host.heldCount}
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
                <TableCell className="text-sm" data-testid="host-groups">
                  {host.groups.length > 0 ? host.groups.join(', ') : <span className="text-muted-foreground">none</span>}
                </TableCell>
                <TableCell className="whitespace-nowrap" title={formatDateTime(host.lastSeenAt)}>
                  {formatAge(host.lastSeenAt, now)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <div className="border-t px-4">
          <Pagination
            page={query.page}
            pageSize={PAGE_SIZE}
            total={result.total}
            path="/hosts"
            query={{
              q: query.q,
              status: query.status,
              group: query.group,
              os: query.os,
              security: query.security,
              reboot: query.reboot,
              sort: query.sort === 'security' ? undefined : query.sort,
            }}
            noun="hosts"
          />
        </div>
      </Card>
    </div>
  );
}
