import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Play } from 'lucide-react';
import { z } from 'zod';
import { requireUser } from '@/lib/console-context';
import { NotFoundError } from '@/lib/errors';
import { listGroups, type GroupSummary } from '@/lib/groups/list-groups';
import { getHost } from '@/lib/hosts/get-host';
import { listHostPackages } from '@/lib/hosts/list-host-packages';
import { HostCertificate, HostFacts, HostReboot } from '@/components/host/host-facts';
import { HostJobs } from '@/components/host/host-jobs';
import { HostPackages } from '@/components/host/host-packages';
import { HostUpdates } from '@/components/host/host-updates';
import { ActionForm } from '@/components/groups/action-form';
import { CheckboxList } from '@/components/groups/checkbox-list';
import { Badge } from '@/components/ui/badge';
import { buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { setHostGroupsAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Host' };

const PACKAGE_PAGE_SIZE = 50;

const querySchema = z.object({
  pkgq: z.string().trim().max(200).optional().catch(undefined),
  pkgpage: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});

async function loadHost(hostId: string, search: string | undefined, page: number) {
  const ctx = await requireUser();

  try {
    return await Promise.all([
      getHost(ctx, { hostId }),
      listHostPackages(ctx, { hostId, search, page, pageSize: PACKAGE_PAGE_SIZE }),
      // Only Admins assign groups, so only they get the list of every group.
      ctx.actor.role === 'admin' ? listGroups(ctx) : Promise.resolve<GroupSummary[] | null>(null),
    ]);
  } catch (error) {
    if (error instanceof NotFoundError) {
      notFound();
    }
    throw error;
  }
}

export default async function HostPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const hostId = z.uuid().safeParse(id);
  if (!hostId.success) {
    notFound();
  }

  const query = querySchema.parse(await searchParams);
  const search = query.pkgq || undefined;
  const [host, packages, allGroups] = await loadHost(hostId.data, search, query.pkgpage);
  const hostGroupIds = new Set(host.groups.map((group) => group.id));

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm text-muted-foreground">
            <Link className="hover:underline" href="/hosts">
              Hosts
            </Link>{' '}
            /
          </p>
          <h1 className="text-2xl font-semibold" data-testid="host-hostname">
            {host.hostname}
          </h1>
          <div className="mt-1 flex flex-wrap gap-1" data-testid="host-groups">
            {host.groups.length === 0 ? (
              <span className="text-sm text-muted-foreground">in no group</span>
            ) : (
              host.groups.map((group) => (
                <Badge key={group.id} variant="secondary">
                  {group.name}
                </Badge>
              ))
            )}
          </div>
        </div>
        <Link className={buttonVariants()} href={`/jobs/new?host=${host.id}`} data-testid="patch-host">
          <Play aria-hidden /> Patch this host
        </Link>
      </div>

      <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
        <HostFacts host={host} />
        <div className="flex flex-col gap-4">
          <HostReboot host={host} />
          {/* Only Admins get the list of every group, and only they manage certificates. */}
          <HostCertificate host={host} manageable={allGroups !== null} />
        </div>
      </div>

      {allGroups && (
        <Card>
          <CardHeader>
            <CardTitle>Groups</CardTitle>
            <CardDescription>Operators see this host only through the groups it belongs to.</CardDescription>
          </CardHeader>
          <CardContent>
            <ActionForm action={setHostGroupsAction} submitLabel="Save groups" testId="host-groups-form">
              <input type="hidden" name="hostId" value={host.id} />
              <CheckboxList
                name="groupIds"
                testId="host-group-choices"
                empty="No groups exist yet; create them on the Groups page."
                choices={allGroups.map((group) => ({ value: group.id, label: group.name, checked: hostGroupIds.has(group.id) }))}
              />
            </ActionForm>
          </CardContent>
        </Card>
      )}

      <HostUpdates host={host} />
      <HostJobs host={host} />
      <HostPackages hostId={host.id} packages={packages} search={search} page={query.pkgpage} pageSize={PACKAGE_PAGE_SIZE} />
    </div>
  );
}
