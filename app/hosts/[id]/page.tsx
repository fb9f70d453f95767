import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Play } from 'lucide-react';
import { z } from 'zod';
import { requireUser } from '@/lib/console-context';
import { NotFoundError } from '@/lib/errors';
import { getHost } from '@/lib/hosts/get-host';
import { listHostPackages } from '@/lib/hosts/list-host-packages';
import { HostCertificate, HostFacts, HostReboot } from '@/components/host/host-facts';
import { HostJobs } from '@/components/host/host-jobs';
import { HostPackages } from '@/components/host/host-packages';
import { HostUpdates } from '@/components/host/host-updates';
import { buttonVariants } from '@/components/ui/button';

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
  const [host, packages] = await loadHost(hostId.data, search, query.pkgpage);

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
        </div>
        <Link className={buttonVariants()} href={`/jobs/new?host=${host.id}`} data-testid="patch-host">
          <Play aria-hidden /> Patch this host
        </Link>
      </div>

      <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
        <HostFacts host={host} />
        <div className="flex flex-col gap-4">
          <HostReboot host={host} />
          <HostCertificate host={host} />
        </div>
      </div>

      <HostUpdates host={host} />
      <HostJobs host={host} />
      <HostPackages hostId={host.id} packages={packages} search={search} page={query.pkgpage} pageSize={PACKAGE_PAGE_SIZE} />
    </div>
  );
}
